package refund

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestVersion(t *testing.T) {
	if Version() != "1.0.0" || VersionNumber() != 10000 {
		t.Fatalf("version %q %d", Version(), VersionNumber())
	}
}

func TestErrorsAndSentinels(t *testing.T) {
	if ErrorName(CodeDenied) != "REFUND_EDENIED" || ErrorName(-999) != "REFUND_E?" {
		t.Fatal(ErrorName(CodeDenied), ErrorName(-999))
	}
	all := []*Error{ErrInvalid, ErrNoMem, ErrNotFound, ErrExists, ErrState, ErrDenied,
		ErrConflict, ErrDeadline, ErrDuplicate, ErrStore, ErrUser, ErrCorrupt, ErrOverflow,
		ErrCurrency, ErrCalendar, ErrNotSup, ErrVersion, ErrBusy, ErrBalance, ErrParse,
		ErrRange, ErrEvidence}
	for i, e := range all {
		if e.Code != -(i+1) || e.Name != ErrorName(e.Code) || e.Message == "" {
			t.Fatalf("sentinel %d: %+v", i, e)
		}
		for j, other := range all {
			if errors.Is(e, other) != (i == j) {
				t.Fatalf("errors.Is(%s, %s) = %v", e.Name, other.Name, !(i == j))
			}
		}
	}
	// A detailed error matches its code's sentinel, through wrapping too.
	err := fmt.Errorf("context: %w", &Error{Code: CodeDenied, Name: "REFUND_EDENIED", Message: "no"})
	if !errors.Is(err, ErrDenied) || errors.Is(err, ErrState) {
		t.Fatal("errors.Is through wrapping")
	}
	if s := Strerror(CodeDenied, LangZhCN); !hasHan(s) {
		t.Fatalf("zh-CN strerror %q", s)
	}
	if Strerror(CodeDenied, LangEN) == Strerror(CodeDenied, LangZhCN) {
		t.Fatal("languages give the same text")
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func TestNames(t *testing.T) {
	if r, err := ParseRole("reviewer"); err != nil || r != RoleReviewer || r.String() != "reviewer" {
		t.Fatal(r, err)
	}
	_, err := ParseRole("merchant")
	wantErr(t, err, ErrNotFound)
	if s, err := ParseState("under_review"); err != nil || s != StateUnderReview {
		t.Fatal(s, err)
	}
	_, err = ParseState("reviewing")
	wantErr(t, err, ErrNotFound)
	if StateClosed.String() != "closed" || State(99).String() != "state(99)" {
		t.Fatal(StateClosed.String(), State(99).String())
	}
	if EntryHandlingFee.String() != "handling_fee" || Action(7).String() != "approve" {
		t.Fatal(EntryHandlingFee.String(), Action(7).String())
	}
	for _, c := range []struct{ got, want string }{
		{StateUnderReview.Label(LangZhCN), "审核中"},
		{StateUnderReview.Label(LangEN), "under_review"},
		{Action(4).Label(LangZhCN), "开始审核"},
		{Action(18).Label(LangEN), "escalate"},
		{RoleReviewer.Label(LangZhCN), "审核员"},
		{State(99).Label(LangZhCN), "state(99)"},
		{StateClosed.Label(Lang(7)), "state(10)"},
	} {
		if c.got != c.want {
			t.Fatalf("label %q, want %q", c.got, c.want)
		}
	}
	for _, c := range []struct {
		parse func(string) (int, error)
		name  string
		want  int
	}{
		{func(s string) (int, error) { v, e := ParseReason(s); return int(v), e }, "fraud", int(ReasonFraud)},
		{func(s string) (int, error) { v, e := ParseEvidence(s); return int(v), e }, "police_report", int(EvidencePoliceReport)},
		{func(s string) (int, error) { v, e := ParseGrade(s); return int(v), e }, "normal_wear", int(GradeNormalWear)},
		{func(s string) (int, error) { v, e := ParseParty(s); return int(v), e }, "legal", int(PartyLegal)},
		{func(s string) (int, error) { v, e := ParsePayoutMethod(s); return int(v), e }, "wechat", int(PayoutWechat)},
		{func(s string) (int, error) { v, e := ParseRejectReason(s); return int(v), e }, "other", int(RejectOther)},
	} {
		if v, err := c.parse(c.name); err != nil || v != c.want {
			t.Fatalf("%s: %d %v", c.name, v, err)
		}
		if _, err := c.parse("nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown name: %v", err)
		}
	}
	if EvidenceMask(EvidenceReceipt, EvidenceContract) != 1<<1|1<<2 {
		t.Fatal(EvidenceMask(EvidenceReceipt, EvidenceContract))
	}
	if PartyConsumerAssociation.String() != "consumer_association" || PartStatus(3).String() != "paid" {
		t.Fatal("names")
	}
}

func TestMoney(t *testing.T) {
	m, err := ParseMoney("CNY", "500.5")
	if err != nil || m != (Money{50050, "CNY"}) {
		t.Fatal(m, err)
	}
	if s, err := FormatMoney("CNY", -1); err != nil || s != "-0.01" {
		t.Fatal(s, err)
	}
	if s, err := FormatMoney("JPY", 500); err != nil || s != "500" {
		t.Fatal(s, err)
	}
	if m.String() != "500.50 CNY" || (Money{5, "XYZ"}).String() != "5 minor units of XYZ" {
		t.Fatal(m.String(), Money{5, "XYZ"}.String())
	}
	_, err = ParseMoney("CNY", "-1.00")
	wantErr(t, err, ErrParse)
	if m, err := ParseSignedMoney("CNY", "-1.00"); err != nil || m.Amount != -100 {
		t.Fatal(m, err)
	}
	_, err = ParseMoney("CNY", "1.005")
	wantErr(t, err, ErrParse)
	_, err = ParseMoney("XYZ", "1")
	wantErr(t, err, ErrCurrency)
	_, err = ParseMoney("CNY", "99999999999999999999")
	wantErr(t, err, ErrOverflow)
	_, err = FormatMoney("cny", 1)
	wantErr(t, err, ErrInvalid)

	if v, err := AddMoney(1, 2); err != nil || v != 3 {
		t.Fatal(v, err)
	}
	_, err = AddMoney(1<<62, 1<<62)
	wantErr(t, err, ErrOverflow)
	if v, err := SubMoney(1, 2); err != nil || v != -1 {
		t.Fatal(v, err)
	}
	_, err = MulMoney(1<<62, 4)
	wantErr(t, err, ErrOverflow)
	// Banker's rounding: 0.5 goes to the even neighbour.
	if v, err := Percent(25, 5000); err != nil || v != 12 {
		t.Fatal(v, err)
	}
	_, err = Percent(1, -1)
	wantErr(t, err, ErrInvalid)
	if p, err := Allocate(100, nil, 3); err != nil || fmt.Sprint(p) != "[34 33 33]" {
		t.Fatal(p, err)
	}
	if p, err := Allocate(100, []int64{1, 3}, 0); err != nil || fmt.Sprint(p) != "[25 75]" {
		t.Fatal(p, err)
	}
	_, err = Allocate(100, []int64{0, 0}, 0)
	wantErr(t, err, ErrInvalid)
	_, err = Allocate(100, nil, 0)
	wantErr(t, err, ErrInvalid)
}

func TestTimes(t *testing.T) {
	v, err := ParseTime("2025-06-03T09:00:00+08:00")
	if err != nil || v != t0 {
		t.Fatal(v, err)
	}
	if s, err := FormatTime(t0, 8*3600); err != nil || s != "2025-06-03T09:00:00+08:00" {
		t.Fatal(s, err)
	}
	if !Time(t0).Equal(time.Date(2025, 6, 3, 1, 0, 0, 0, time.UTC)) || Time(t0).Location() != time.UTC {
		t.Fatal(Time(t0))
	}
	if Unix(Time(t0)) != t0 {
		t.Fatal("Unix(Time(t)) != t")
	}
	if d, err := DateOf(2025, 6, 3); err != nil || d != t0-3600 {
		t.Fatal(d, err)
	}
	_, err = ParseTime("2025-06-03T09:00:00") // no offset: ambiguous
	wantErr(t, err, ErrParse)
	_, err = FormatTime(TimeMax+1, 0)
	wantErr(t, err, ErrInvalid)
	_, err = DateOf(2025, 2, 30)
	wantErr(t, err, ErrInvalid)
	if TimeNone >= TimeMin || NoDeadline <= TimeMax {
		t.Fatal("sentinel times")
	}
}

func TestEngineOptionsAndClose(t *testing.T) {
	_, err := NewEngine(Options{})
	wantErr(t, err, ErrInvalid)
	_, err = NewEngine(Options{Store: mustMemory(t), Lang: Lang(7)})
	wantErr(t, err, ErrInvalid)

	store := mustMemory(t)
	e, err := NewEngine(Options{Store: store})
	must(t, err)
	// The system clock by default.
	now, err := e.Now()
	if err != nil || now < time.Now().Unix()-5 || now > time.Now().Unix()+5 {
		t.Fatal(now, err)
	}
	// A store in use is not closed.
	err = store.Close()
	wantErr(t, err, ErrBusy)
	must(t, e.Close())
	must(t, e.Close())
	for _, err := range []error{
		e.SetLang(LangZhCN),
		func() error { _, err := e.Now(); return err }(),
		func() error { _, err := e.LoadDeposit("D-1"); return err }(),
		func() error { _, err := e.NewPolicy("P", "CNY"); return err }(),
		func() error { _, err := e.OpenCase("K", "D", "P", 0, ReasonFraud, applicant); return err }(),
		func() error { _, err := e.Tick(t0, 0); return err }(),
	} {
		wantErr(t, err, ErrClosed)
		wantErr(t, err, ErrInvalid)
	}
	must(t, store.Close())
	must(t, store.Close())
	_, err = NewEngine(Options{Store: store})
	wantErr(t, err, ErrClosed)
}

func mustMemory(t *testing.T) *MemoryStore {
	s, err := NewMemoryStore()
	must(t, err)
	return s
}

func TestEngineSettings(t *testing.T) {
	f := newFixture(t, false)
	if now, err := f.eng.Now(); err != nil || now != t0 {
		t.Fatal(now, err)
	}
	if l, err := f.eng.Lang(); err != nil || l != LangEN {
		t.Fatal(l, err)
	}
	wantErr(t, f.eng.SetLang(Lang(9)), ErrInvalid)
	must(t, f.eng.SetLang(LangZhCN))
	if l, _ := f.eng.Lang(); l != LangZhCN {
		t.Fatal(l)
	}
	// Currencies: an override for this engine only.
	if x, err := f.eng.CurrencyExponent("JPY"); err != nil || x != 0 {
		t.Fatal(x, err)
	}
	must(t, f.eng.SetCurrency("JPY", 2))
	if m, err := f.eng.ParseMoney("JPY", "5.25"); err != nil || m.Amount != 525 {
		t.Fatal(m, err)
	}
	if s, err := f.eng.FormatMoney(Money{525, "JPY"}); err != nil || s != "5.25" {
		t.Fatal(s, err)
	}
	if _, err := ParseMoney("JPY", "5.25"); !errors.Is(err, ErrParse) {
		t.Fatal("the override leaked out of the engine", err)
	}
	wantErr(t, f.eng.SetCurrency("jpy", 2), ErrInvalid)
	_, err := f.eng.CurrencyExponent("QQQ")
	wantErr(t, err, ErrCurrency)
	// The engine's message is in its language.
	_, err = f.eng.ParseMoney("CNY", "abc")
	wantErr(t, err, ErrParse)
	if !hasHan(err.Error()) {
		t.Fatalf("zh-CN engine message %q", err)
	}
}

func TestCalendar(t *testing.T) {
	f := newFixture(t, false)
	must(t, f.eng.AddCalendar("name SHOP\noffset +08:00\nweekend sun\nholiday 2025-06-04\n"))
	p, err := f.eng.ParsePolicy("policy P-CAL\ncurrency CNY\n" +
		"deadline submitted 1 business day in SHOP then escalate\n")
	must(t, err)
	must(t, p.Close())
	err = f.eng.AddCalendar("name X\noffset nowhere\n")
	wantErr(t, err, ErrParse)
	if e := err.(*Error); !strings.Contains(e.Message, "line") {
		t.Fatalf("parse error without its line: %q", e.Message)
	}
	_, err = f.eng.ParsePolicy("policy P-CAL2\ncurrency CNY\n" +
		"deadline submitted 1 business day in NOWHERE then escalate\n")
	wantErr(t, err, ErrNotFound)
}

func TestDeposit(t *testing.T) {
	f := newFixture(t, false)
	d := f.deposit("D-1")
	info, err := d.Info()
	must(t, err)
	if info.ID != "D-1" || info.Holder != "M-1001" || info.Agent != "agent-7" ||
		info.TerminalSerial != "SN-D-1" || info.ContractID != "C-D-1" || info.Receipt != "R-D-1" ||
		info.Currency != "CNY" || info.PaidAt != t0-365*86400 || info.ContractEnd != TimeNone ||
		info.DaysInService != 365 || info.TransactionVolume != 2500000 || info.Version != 2 ||
		info.OpenCase != "" || info.Balance != (Balance{Held: 50000, Remaining: 50000}) {
		t.Fatalf("%+v", info)
	}
	// Money leaves only within the balance, by the roles allowed.
	wantErr(t, d.Post(EntryForfeit, 100, agent, ""), ErrDenied)
	wantErr(t, d.Post(EntryForfeit, 50001, finance, ""), ErrBalance)
	must(t, d.Post(EntryFeeOffset, 1000, finance, "FEES-2025"))
	b, err := d.Balance()
	if err != nil || b != (Balance{Held: 50000, Deducted: 1000, Remaining: 49000}) {
		t.Fatal(b, err)
	}
	entries, err := d.Entries()
	must(t, err)
	if len(entries) != 2 || entries[0].Kind != EntryHold || entries[0].Amount != 50000 ||
		entries[1].Kind != EntryFeeOffset || entries[1].Reference != "FEES-2025" ||
		entries[1].Actor != "fin-1" || entries[1].Role != RoleFinance || entries[1].Seq != 2 ||
		entries[1].At != t0 {
		t.Fatalf("%+v", entries)
	}
	wantErr(t, d.SetUsage(-1, 0, agent), ErrInvalid)
	// Another handle sees the stored deposit; a stale one conflicts.
	d2, err := f.eng.LoadDeposit("D-1")
	must(t, err)
	must(t, d2.SetUsage(400, 0, agent))
	wantErr(t, d.SetUsage(401, 0, agent), ErrConflict)
	must(t, d2.Close())

	_, err = f.eng.CreateDeposit(NewDeposit{ID: "D-1", Holder: "h", Agent: "a",
		TerminalSerial: "s", Amount: Money{1, "CNY"}, PaidAt: t0}, agent)
	wantErr(t, err, ErrExists)
	_, err = f.eng.CreateDeposit(NewDeposit{ID: "D-2", Holder: "h", Agent: "a",
		TerminalSerial: "s", Amount: Money{1, "CNY"}, PaidAt: t0}, applicant)
	wantErr(t, err, ErrDenied)
	_, err = f.eng.CreateDeposit(NewDeposit{ID: "D-2"}, agent)
	wantErr(t, err, ErrInvalid)
	_, err = f.eng.LoadDeposit("D-404")
	wantErr(t, err, ErrNotFound)

	// Close twice; a closed handle errs and never crashes.
	must(t, d.Close())
	must(t, d.Close())
	_, err = d.Info()
	wantErr(t, err, ErrClosed)
	wantErr(t, d.Post(EntryForfeit, 1, finance, ""), ErrClosed)
	_, err = d.Entries()
	wantErr(t, err, ErrClosed)
}

func TestPolicyBuilder(t *testing.T) {
	f := newFixture(t, false)
	p, err := f.eng.NewPolicy("P-B", "CNY")
	must(t, err)
	defer p.Close()
	must(t, p.SetWindow(WindowContractEnd, 730))
	must(t, p.AddTier(0, 0, 5000))
	must(t, p.AddTier(90, 1000000, 10000))
	must(t, p.SetCommonEvidence(EvidenceMask(EvidenceReceipt)))
	must(t, p.SetReasonEvidence(ReasonFraud, EvidenceMask(EvidencePoliceReport)))
	must(t, p.SetReturnRequired(false))
	must(t, p.SetGradeDeduction(GradeDamaged, 3000))
	must(t, p.SetMissingPartDeduction(2000))
	must(t, p.SetFee(500, 100, 500, 2000))
	must(t, p.SetOffsets(true))
	must(t, p.SetInstallments(3, 1))
	must(t, p.SetDeadline(StateUnderReview, 5, BusinessDays, "CN", OnDueEscalate, 86400))
	must(t, p.SetFourEyes(100000))
	must(t, p.SetEscalation(PartyRegulator|PartyLegal))
	// Invalid values change nothing.
	wantErr(t, p.SetGradeDeduction(GradeNormalWear, 100), ErrInvalid)
	wantErr(t, p.SetInstallments(25, 1), ErrInvalid)
	wantErr(t, p.SetDeadline(StateClosed, 5, CalendarDays, "CN", OnDueClose), ErrInvalid)
	err = p.SetDeadline(StateDraft, 5, CalendarDays, "MARS", OnDueExpire)
	wantErr(t, err, ErrNotFound)

	if info, err := p.Info(); err != nil || info != (PolicyInfo{"P-B", 0, "CNY"}) {
		t.Fatal(info, err)
	}
	wantErr(t, p.Publish(reviewer), ErrDenied)
	must(t, p.Publish(admin))
	if info, _ := p.Info(); info.Version != 1 {
		t.Fatal(info)
	}
	wantErr(t, p.SetOffsets(false), ErrState)
	wantErr(t, p.Publish(admin), ErrState)

	// Its text form parses to the same rules.
	text, err := p.Format()
	must(t, err)
	for _, want := range []string{"policy P-B", "currency CNY", "fee 5.00 + 1% min 5.00 max 20.00",
		"escalate to regulator legal", "four_eyes above 1000.00", "return not_required"} {
		if !strings.Contains(text, want) {
			t.Fatalf("%q not in\n%s", want, text)
		}
	}
	p2, err := f.eng.ParsePolicy(text)
	must(t, err)
	must(t, p2.Publish(admin))
	text2, err := p2.Format()
	must(t, err)
	if text != text2 {
		t.Fatalf("round trip differs:\n%s\n---\n%s", text, text2)
	}
	must(t, p2.Close())
	latest, err := f.eng.LoadPolicy("P-B", 0)
	must(t, err)
	if info, _ := latest.Info(); info.Version != 2 {
		t.Fatal(info)
	}
	must(t, latest.Close())
	_, err = f.eng.LoadPolicy("P-B", 3)
	wantErr(t, err, ErrNotFound)
	_, err = f.eng.NewPolicy("P B", "CNY")
	wantErr(t, err, ErrInvalid)
	_, err = f.eng.NewPolicy("P-C", "XYZ")
	wantErr(t, err, ErrCurrency)
}

func TestPolicyParseErrorZhCN(t *testing.T) {
	store := mustMemory(t)
	e, err := NewEngine(Options{Store: store, Lang: LangZhCN})
	must(t, err)
	defer store.Close()
	defer e.Close()
	_, err = e.ParsePolicy("policy P-1\ncurrency CNY\ntier lots -> 50%\n")
	wantErr(t, err, ErrParse)
	var re *Error
	if !errors.As(err, &re) || re.Name != "REFUND_EPARSE" || !hasHan(re.Message) ||
		!strings.Contains(re.Message, "3") {
		t.Fatalf("zh-CN parse error %#v", err)
	}
	must(t, e.SetLang(LangEN))
	_, err = e.ParsePolicy("policy P-1\ncurrency CNY\ntier lots -> 50%\n")
	if !strings.Contains(err.Error(), "line 3") || hasHan(err.Error()) {
		t.Fatalf("English parse error %q", err)
	}
}

func TestCaseLifecycle(t *testing.T) {
	for _, goStore := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "go"}[goStore], func(t *testing.T) {
			f := newFixture(t, goStore)
			c := f.lifecycle()
			defer c.Close()
			info, err := c.Info()
			must(t, err)
			if info.State != StateClosed || info.DepositID != "D-1" || info.Reason != ReasonDeviceFault ||
				info.PolicyID != "P-1" || info.PolicyVersion != 1 || info.Parts != 1 ||
				info.MissingEvidence != 0 || info.Version != 14 {
				t.Fatalf("%+v", info)
			}
			q, err := c.Quote()
			must(t, err)
			// damage 30% of 500.00, one missing part 20.00, fee 10.00.
			if q.Currency != "CNY" || q.Gross != 50000 || q.TierBP != 10000 || q.Damage != 15000 ||
				q.MissingParts != 2000 || q.Fee != 1000 || q.Net != 32000 || q.Approved != 49000 {
				t.Fatalf("%+v", q)
			}
			parts, err := c.Parts()
			if err != nil || len(parts) != 1 || parts[0].Status != PartPaid ||
				parts[0].Reference != "BANK-1" || parts[0].Amount != 32000 || parts[0].Attempts != 1 {
				t.Fatalf("%+v %v", parts, err)
			}
			events, err := c.Events()
			must(t, err)
			if len(events) != 14 || events[0].Action != 1 || events[0].From != 0 ||
				events[0].To != StateDraft || events[13].To != StateClosed || events[0].PrevHash != "" ||
				events[1].PrevHash != events[0].Hash || len(events[13].Hash) != 64 {
				t.Fatalf("%d events: %+v", len(events), events)
			}
			if bad, err := c.Verify(); err != nil || bad != 0 {
				t.Fatal(bad, err)
			}
			rebuilt, err := f.eng.RebuildCase("K-1")
			must(t, err)
			rinfo, _ := rebuilt.Info()
			if rinfo.State != StateClosed || rinfo.Version != 14 {
				t.Fatalf("%+v", rinfo)
			}
			must(t, rebuilt.Close())
			_, err = c.NextDeadline()
			wantErr(t, err, ErrNotFound)
			d, err := f.eng.LoadDeposit("D-1")
			must(t, err)
			b, _ := d.Balance()
			if b != (Balance{Held: 50000, Refunded: 32000, Deducted: 18000}) {
				t.Fatalf("%+v", b)
			}
			must(t, d.Close())
			for _, lang := range []Lang{LangEN, LangZhCN} {
				text, err := c.Explain(lang)
				if err != nil || text == "" || hasHan(text) != (lang == LangZhCN) {
					t.Fatalf("explain %d: %q %v", lang, text, err)
				}
			}
			// Listings go through the store's scan.
			cases, err := f.eng.Cases(CaseFilter{State: StateClosed})
			if err != nil || len(cases) != 1 || cases[0].ID != "K-1" {
				t.Fatal(cases, err)
			}
			cases, err = f.eng.Cases(CaseFilter{State: StateDraft})
			if err != nil || len(cases) != 0 {
				t.Fatal(cases, err)
			}
			deposits, err := f.eng.Deposits(DepositFilter{Holder: "M-1001"})
			if err != nil || len(deposits) != 1 || deposits[0].Balance.Refunded != 32000 {
				t.Fatal(deposits, err)
			}
			// Notices: one per committed change, transitions in order.
			var transitions []string
			for _, n := range f.notices {
				if n.Kind == NoticeTransition && n.ID == "K-1" {
					transitions = append(transitions, n.Action.String())
				}
			}
			if got := strings.Join(transitions, " "); got != "open attach attach attach attach "+
				"submit start_review approve receive_device inspect offer accept pay confirm" {
				t.Fatal(got)
			}
			if goStore && (f.backend.Len(RecordCase) != 1 || f.backend.Len(RecordDeposit) != 1) {
				t.Fatal("records in the Go store", f.backend.Len(RecordCase), f.backend.Len(RecordDeposit))
			}
		})
	}
}

func TestCaseErrors(t *testing.T) {
	f := newFixture(t, true)
	f.publish()
	f.deposit("D-1").Close()
	_, err := f.eng.OpenCase("K-1", "D-1", "P-1", 0, ReasonDeviceFault, finance)
	wantErr(t, err, ErrDenied)
	_, err = f.eng.OpenCase("K-1", "D-404", "P-1", 0, ReasonDeviceFault, applicant)
	wantErr(t, err, ErrNotFound)
	c, err := f.eng.OpenCase("K-1", "D-1", "P-1", 0, ReasonDeviceFault, applicant)
	must(t, err)
	_, err = f.eng.OpenCase("K-2", "D-1", "P-1", 0, ReasonDeviceFault, applicant)
	wantErr(t, err, ErrDuplicate)
	wantErr(t, c.StartReview(reviewer), ErrState)
	wantErr(t, c.Submit(applicant, Account{Method: PayoutAlipay, Name: "Li", Number: "13800138000"}),
		ErrEvidence)
	if info, _ := c.Info(); info.MissingEvidence != EvidenceMask(EvidenceReceipt, EvidenceContract,
		EvidencePaymentRecord, EvidenceFaultReport) {
		t.Fatalf("missing %b", info.MissingEvidence)
	}
	// Idempotency: the same key and arguments act once; other arguments are refused.
	keyed := applicant
	keyed.Key = "attach-1"
	must(t, c.Attach(keyed, EvidenceReceipt, "r.pdf"))
	must(t, c.Attach(keyed, EvidenceReceipt, "r.pdf"))
	wantErr(t, c.Attach(keyed, EvidenceReceipt, "other.pdf"), ErrDuplicate)
	if info, _ := c.Info(); info.Version != 2 {
		t.Fatalf("idempotent retry acted again: version %d", info.Version)
	}
	// A stale handle conflicts and is left as it was.
	c2, err := f.eng.LoadCase("K-1")
	must(t, err)
	must(t, c2.Attach(applicant, EvidenceContract, "c.pdf"))
	wantErr(t, c.Attach(applicant, EvidencePaymentRecord, "p.pdf"), ErrConflict)
	if info, _ := c.Info(); info.Version != 2 {
		t.Fatal(info.Version)
	}
	must(t, c2.Withdraw(Act{Actor: "M-1001", Role: RoleApplicant, Note: "changed my mind"}))
	if s, _ := c2.State(); s != StateWithdrawn {
		t.Fatal(s)
	}
	events, _ := c2.Events()
	if events[len(events)-1].Note != "changed my mind" {
		t.Fatalf("%+v", events[len(events)-1])
	}
	_, err = f.eng.LoadCase("K-404")
	wantErr(t, err, ErrNotFound)
	// Close twice; a closed case errs.
	must(t, c.Close())
	must(t, c.Close())
	wantErr(t, c.Withdraw(applicant), ErrClosed)
	_, err = c.Quote()
	wantErr(t, err, ErrClosed)
	_, err = c.Events()
	wantErr(t, err, ErrClosed)
	must(t, c2.Close())
}

func TestDeadlinesTick(t *testing.T) {
	f := newFixture(t, true)
	f.publish()
	f.deposit("D-1").Close()
	c, err := f.eng.OpenCase("K-1", "D-1", "P-1", 0, ReasonNeedsChanged, applicant)
	must(t, err)
	defer c.Close()
	for _, e := range []Evidence{EvidenceReceipt, EvidenceContract, EvidencePaymentRecord} {
		must(t, c.Attach(applicant, e, "x"))
	}
	must(t, c.Submit(applicant, Account{Method: PayoutWechat, Name: "Li", Number: "wx_li-001"}))
	must(t, c.StartReview(reviewer)) // Tuesday 2025-06-03 09:00 +08:00
	dl, err := c.NextDeadline()
	must(t, err)
	// 5 CN business days: Wed 4, Thu 5, Fri 6, Mon 9, Tue 10 June.
	due, _ := ParseTime("2025-06-10T09:00:00+08:00")
	if dl.State != StateUnderReview || dl.Due != due || dl.Consequence != OnDueEscalate ||
		dl.Next != due-86400 || dl.Overdue {
		t.Fatalf("%+v", dl)
	}
	res, err := f.eng.Tick(due-86400-1, 0)
	if err != nil || res != (TickResult{}) {
		t.Fatal(res, err)
	}
	res, err = f.eng.Tick(due, 0)
	if err != nil || res.Due != 1 || res.Reminders+res.Consequences < 1 {
		t.Fatal(res, err)
	}
	c2, err := f.eng.LoadCase("K-1")
	must(t, err)
	defer c2.Close()
	if info, _ := c2.Info(); info.Escalations != PartyRegulator {
		t.Fatalf("%+v", info)
	}
	sawDeadline := false
	for _, n := range f.notices {
		sawDeadline = sawDeadline || n.Kind == NoticeDeadline || n.Kind == NoticeReminder
	}
	if !sawDeadline {
		t.Fatal("no deadline notice")
	}
}
