package refund

import (
	"errors"
	"sync"
	"testing"
)

// A fixture: an engine on a store with a settable clock and recorded
// notices.
type fixture struct {
	t       *testing.T
	store   Store
	backend *MapBackend // for a Go store
	eng     *Engine
	mu      sync.Mutex
	now     int64
	notices []Notice
}

const (
	t0 = int64(1748912400) // 2025-06-03T09:00:00+08:00
)

var (
	admin     = Act{Actor: "admin-1", Role: RoleAdmin}
	agent     = Act{Actor: "agent-7", Role: RoleAgent}
	applicant = Act{Actor: "M-1001", Role: RoleApplicant}
	reviewer  = Act{Actor: "rev-1", Role: RoleReviewer}
	finance   = Act{Actor: "fin-1", Role: RoleFinance}
)

func newFixture(t *testing.T, goStore bool) *fixture {
	t.Helper()
	f := &fixture{t: t, now: t0}
	var err error
	if goStore {
		f.backend = NewMapBackend()
		f.store, err = NewGoStore(f.backend)
	} else {
		f.store, err = NewMemoryStore()
	}
	must(t, err)
	f.eng, err = NewEngine(Options{Store: f.store, Clock: f.clock, Notify: f.notify})
	must(t, err)
	t.Cleanup(func() {
		must(t, f.eng.Close())
		must(t, f.store.Close())
	})
	return f
}

func (f *fixture) clock() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) set(now int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = now
}

func (f *fixture) notify(n Notice) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notices = append(f.notices, n)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

const testPolicy = `policy P-1
currency CNY
tier 0 days -> 50%
tier 90 days -> 100%
return required
deduct damaged 30%
deduct missing_part 20.00
fee 5.00 + 1% min 5.00 max 20.00
offsets allowed
installments 3 every 1 month
deadline under_review 5 business days in CN then escalate remind 1 day before
deadline paid 15 days in CN then close
four_eyes above 1000.00
escalate to regulator
`

// publish parses and publishes testPolicy.
func (f *fixture) publish() {
	f.t.Helper()
	p, err := f.eng.ParsePolicy(testPolicy)
	must(f.t, err)
	defer p.Close()
	must(f.t, p.Publish(admin))
}

func (f *fixture) deposit(id string) *Deposit {
	f.t.Helper()
	d, err := f.eng.CreateDeposit(NewDeposit{ID: id, Holder: "M-1001", Agent: "agent-7",
		TerminalSerial: "SN-" + id, Amount: Money{50000, "CNY"}, PaidAt: t0 - 365*86400,
		ContractID: "C-" + id, Receipt: "R-" + id}, agent)
	must(f.t, err)
	must(f.t, d.SetUsage(365, 2500000, agent))
	return d
}

// lifecycle takes case K-1 on deposit D-1 from open to closed.
func (f *fixture) lifecycle() *Case {
	t := f.t
	t.Helper()
	f.publish()
	f.deposit("D-1").Close()
	c, err := f.eng.OpenCase("K-1", "D-1", "P-1", 0, ReasonDeviceFault, applicant)
	must(t, err)
	for _, e := range []Evidence{EvidenceReceipt, EvidenceContract, EvidencePaymentRecord,
		EvidenceFaultReport} {
		must(t, c.Attach(applicant, e, e.String()+".pdf"))
	}
	must(t, c.Submit(applicant, Account{Method: PayoutBank, Name: "Zhang San",
		Number: "6222020200112233445", Bank: "ICBC"}))
	must(t, c.StartReview(reviewer))
	must(t, c.Approve(reviewer, 49000))
	must(t, c.ReceiveDevice(agent, "SF1234567890"))
	must(t, c.Inspect(agent, GradeDamaged, 1))
	must(t, c.Offer(finance, 1))
	must(t, c.Accept(applicant))
	must(t, c.Pay(finance, 1, "BANK-1"))
	must(t, c.Confirm(applicant))
	return c
}
