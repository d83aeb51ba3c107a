package refund_test

import (
	"errors"
	"fmt"

	"librefund.example/refund"
)

// A deposit is refunded through a case, on a store written in Go, with an
// injected clock.
func Example() {
	store, err := refund.NewGoStore(refund.NewMapBackend())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	now, _ := refund.ParseTime("2025-06-03T09:00:00+08:00")
	engine, err := refund.NewEngine(refund.Options{
		Store: store,
		Clock: func() int64 { return now },
	})
	if err != nil {
		panic(err)
	}
	defer engine.Close() // also closes the handles below

	admin := refund.Act{Actor: "admin-1", Role: refund.RoleAdmin}
	agent := refund.Act{Actor: "agent-7", Role: refund.RoleAgent}
	merchant := refund.Act{Actor: "M-1001", Role: refund.RoleApplicant}
	reviewer := refund.Act{Actor: "rev-1", Role: refund.RoleReviewer}

	policy, _ := engine.ParsePolicy("policy STD\ncurrency CNY\nreturn not_required\n" +
		"evidence all: receipt\nevidence needs_changed: none\nfee 10.00\n")
	if err := policy.Publish(admin); err != nil {
		panic(err)
	}
	amount, _ := refund.ParseMoney("CNY", "500.00")
	paid, _ := refund.ParseTime("2024-06-03T10:00:00+08:00")
	if _, err := engine.CreateDeposit(refund.NewDeposit{ID: "D-1", Holder: "M-1001",
		Agent: "agent-7", TerminalSerial: "SN-1", Amount: amount, PaidAt: paid}, agent); err != nil {
		panic(err)
	}

	c, _ := engine.OpenCase("K-1", "D-1", "STD", 0, refund.ReasonNeedsChanged, merchant)
	err = c.Submit(merchant, refund.Account{Method: refund.PayoutAlipay, Name: "Zhang San",
		Number: "13800138000"})
	fmt.Println(errors.Is(err, refund.ErrEvidence))
	_ = c.Attach(merchant, refund.EvidenceReceipt, "R-1.pdf")
	_ = c.Submit(merchant, refund.Account{Method: refund.PayoutAlipay, Name: "Zhang San",
		Number: "13800138000"})
	_ = c.StartReview(reviewer)
	err = c.Approve(merchant, 100)
	fmt.Println(errors.Is(err, refund.ErrDenied))

	q, _ := c.Quote()
	fmt.Println("net", refund.Money{Amount: q.Net, Currency: q.Currency})
	_ = c.Approve(reviewer, q.Net)
	state, _ := c.State()
	fmt.Println(state)
	// Output:
	// true
	// true
	// net 490.00 CNY
	// agreement
}
