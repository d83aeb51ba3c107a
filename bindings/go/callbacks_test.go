package refund

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"
)

var errInjected = errors.New("injected store failure")

// faultyBackend wraps a MapBackend: it fails (or panics at) its k-th call.
type faultyBackend struct {
	*MapBackend
	mu     sync.Mutex
	calls  int
	failAt int
	fail   error // nil: panic
	ops    string
}

func (b *faultyBackend) hit(op string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	if b.calls != b.failAt || (b.ops != "" && !strings.Contains(b.ops, op)) {
		if b.ops != "" && b.calls == b.failAt {
			b.failAt++ // not this operation: the next call fails
		}
		return nil
	}
	if b.fail == nil {
		panic("store on fire")
	}
	return b.fail
}

func (b *faultyBackend) Load(k RecordKind, id string) (Record, error) {
	if err := b.hit("load"); err != nil {
		return Record{}, err
	}
	return b.MapBackend.Load(k, id)
}

func (b *faultyBackend) Commit(batch *Batch) error {
	if err := b.hit("commit"); err != nil {
		return err
	}
	return b.MapBackend.Commit(batch)
}

func (b *faultyBackend) Events(k RecordKind, id string, from uint64) ([]StoredEvent, error) {
	if err := b.hit("events"); err != nil {
		return nil, err
	}
	return b.MapBackend.Events(k, id, from)
}

func (b *faultyBackend) Due(before int64, limit int) ([]DueRecord, error) {
	if err := b.hit("due"); err != nil {
		return nil, err
	}
	return b.MapBackend.Due(before, limit)
}

func (b *faultyBackend) Scan(k RecordKind, f ScanFilter) ([]Record, error) {
	if err := b.hit("scan"); err != nil {
		return nil, err
	}
	return b.MapBackend.Scan(k, f)
}

func newFaulty(t *testing.T, failAt int, fail error, ops string) (*faultyBackend, *Engine, *fixture) {
	t.Helper()
	b := &faultyBackend{MapBackend: NewMapBackend(), failAt: failAt, fail: fail, ops: ops}
	store, err := NewGoStore(b)
	must(t, err)
	f := &fixture{t: t, now: t0, backend: b.MapBackend, store: store}
	f.eng, err = NewEngine(Options{Store: store, Clock: f.clock})
	must(t, err)
	t.Cleanup(func() {
		must(t, f.eng.Close())
		must(t, store.Close())
	})
	return b, f.eng, f
}

func TestStoreCommitErrorIsReturned(t *testing.T) {
	b, _, f := newFaulty(t, 0, errInjected, "commit")
	f.publish()
	b.mu.Lock()
	b.failAt = b.calls + 1
	b.mu.Unlock()
	_, err := f.eng.CreateDeposit(NewDeposit{ID: "D-1", Holder: "h", Agent: "a",
		TerminalSerial: "s", Amount: Money{100, "CNY"}, PaidAt: t0}, agent)
	wantErr(t, err, ErrStore)
	wantErr(t, err, errInjected)
	var cb *CallbackError
	if !errors.As(err, &cb) || cb.Callback != "store.commit" {
		t.Fatalf("%#v", err)
	}
	if b.Len(RecordDeposit) != 0 {
		t.Fatal("a failed commit wrote the deposit")
	}
	// The next call works and reports nothing stale.
	f.deposit("D-1").Close()
}

func TestStoreSentinelCodesPassThrough(t *testing.T) {
	for _, c := range []struct {
		fail error
		want error
	}{
		{ErrBusy, ErrBusy},
		{fmt.Errorf("disk full: %w", ErrNoMem), ErrNoMem},
		{ErrConflict, ErrConflict},
	} {
		b, _, f := newFaulty(t, 0, c.fail, "commit")
		b.failAt = b.calls + 1
		err := func() error {
			p, err := f.eng.NewPolicy("P", "CNY")
			must(t, err)
			defer p.Close()
			return p.Publish(admin)
		}()
		wantErr(t, err, c.want)
		wantErr(t, err, c.fail)
		if e := err.(*Error); (e.Err == nil) != (c.fail == c.want) {
			t.Fatalf("%v: a bare sentinel is a code, anything more is kept: %#v", c.fail, e)
		}
	}
}

func TestStorePanicIsCaught(t *testing.T) {
	b, _, f := newFaulty(t, 0, nil, "load")
	f.publish()
	f.deposit("D-1").Close()
	b.mu.Lock()
	b.failAt = b.calls + 1
	b.mu.Unlock()
	_, err := f.eng.LoadDeposit("D-1")
	wantErr(t, err, ErrStore)
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "store on fire" {
		t.Fatalf("%#v", err)
	}
	if d, err := f.eng.LoadDeposit("D-1"); err != nil {
		t.Fatal(err)
	} else {
		d.Close()
	}
}

// Without Scanner, listings are not supported.
type noScan struct{ Backend }

func TestStoreWithoutScan(t *testing.T) {
	store, err := NewGoStore(noScan{NewMapBackend()})
	must(t, err)
	defer store.Close()
	e, err := NewEngine(Options{Store: store})
	must(t, err)
	defer e.Close()
	_, err = e.Deposits(DepositFilter{})
	wantErr(t, err, ErrNotSup)
	_, err = NewGoStore(nil)
	wantErr(t, err, ErrInvalid)
}

// The store torture test: the k-th store call fails, for every k until the
// lifecycle runs through.  Each failure must be returned wrapping the
// injected error, and leave the store consistent: every ledger balances
// and every case's chain verifies.
func TestStoreTorture(t *testing.T) {
	for k := 1; ; k++ {
		if k > 2000 {
			t.Fatal("the lifecycle never completed")
		}
		b, _, f := newFaulty(t, k, errInjected, "")
		err := tortureRun(f)
		if err == nil {
			if b.calls < k {
				t.Logf("lifecycle completed after failing each of %d store calls", k-1)
				return
			}
			t.Fatalf("k=%d: the failure was swallowed", k)
		}
		if !errors.Is(err, errInjected) {
			t.Fatalf("k=%d: %v does not wrap the injected error", k, err)
		}
		b.failAt = -1
		checkConsistent(t, f)
	}
}

func tortureRun(f *fixture) (err error) {
	try := func(e error) {
		if err == nil {
			err = e
		}
	}
	p, e := f.eng.ParsePolicy(testPolicy)
	if e != nil {
		return e
	}
	defer p.Close()
	try(p.Publish(admin))
	if err != nil {
		return err
	}
	d, e := f.eng.CreateDeposit(NewDeposit{ID: "D-1", Holder: "M-1001", Agent: "agent-7",
		TerminalSerial: "SN-1", Amount: Money{50000, "CNY"}, PaidAt: t0 - 365*86400}, agent)
	if e != nil {
		return e
	}
	defer d.Close()
	try(d.SetUsage(365, 0, agent))
	if err != nil {
		return err
	}
	c, e := f.eng.OpenCase("K-1", "D-1", "P-1", 0, ReasonNeedsChanged, applicant)
	if e != nil {
		return e
	}
	defer c.Close()
	for _, ev := range []Evidence{EvidenceReceipt, EvidenceContract, EvidencePaymentRecord} {
		try(c.Attach(applicant, ev, "x"))
	}
	try(c.Submit(applicant, Account{Method: PayoutAlipay, Name: "Li", Number: "13800138000"}))
	try(c.StartReview(reviewer))
	try(c.Approve(reviewer, 10000))
	try(c.ReceiveDevice(agent, ""))
	try(c.Inspect(agent, GradeFine, 0))
	try(c.Offer(finance, 1))
	try(c.Accept(applicant))
	try(c.Pay(finance, 1, "B-1"))
	f.set(t0 + 20*86400)
	if err == nil {
		_, err = f.eng.Tick(t0+20*86400, 0)
	}
	if err == nil {
		_, err = f.eng.Cases(CaseFilter{})
	}
	return err
}

func checkConsistent(t *testing.T, f *fixture) {
	t.Helper()
	deposits, err := f.eng.Deposits(DepositFilter{})
	must(t, err)
	for _, d := range deposits {
		b := d.Balance
		if b.Remaining < 0 || b.Held != b.Refunded+b.Deducted+b.Remaining {
			t.Fatalf("deposit %s does not balance: %+v", d.ID, b)
		}
	}
	cases, err := f.eng.Cases(CaseFilter{})
	must(t, err)
	for _, ci := range cases {
		c, err := f.eng.LoadCase(ci.ID)
		must(t, err)
		if _, err := c.Verify(); err != nil {
			t.Fatalf("case %s: %v", ci.ID, err)
		}
		c.Close()
	}
}

func TestClockPanic(t *testing.T) {
	store := mustMemory(t)
	defer store.Close()
	e, err := NewEngine(Options{Store: store, Clock: func() int64 { panic("clock broke") }})
	must(t, err)
	defer e.Close()
	_, err = e.Now()
	wantErr(t, err, ErrUser)
	var pe *PanicError
	var cb *CallbackError
	if !errors.As(err, &pe) || pe.Value != "clock broke" || !errors.As(err, &cb) || cb.Callback != "clock" {
		t.Fatalf("%#v", err)
	}
	_, err = e.CreateDeposit(NewDeposit{ID: "D-1", Holder: "h", Agent: "a",
		TerminalSerial: "s", Amount: Money{100, "CNY"}, PaidAt: t0}, agent)
	wantErr(t, err, ErrUser)
	if _, err := e.LoadDeposit("D-1"); !errors.Is(err, ErrNotFound) {
		t.Fatal("created a deposit without a time", err)
	}
	// A clock out of range is the library's own refusal, not a Go failure.
	e2, err := NewEngine(Options{Store: store, Clock: func() int64 { return -5 }})
	must(t, err)
	defer e2.Close()
	_, err = e2.Now()
	wantErr(t, err, ErrInvalid)
	if errors.As(err, &cb) {
		t.Fatal("a library refusal reported as a callback failure")
	}
}

func TestNotifierPanic(t *testing.T) {
	store := mustMemory(t)
	defer store.Close()
	calls := 0
	e, err := NewEngine(Options{Store: store, Clock: func() int64 { return t0 },
		Notify: func(n Notice) {
			calls++
			if n.Kind == NoticeDepositCreated {
				panic(fmt.Errorf("mailer down: %w", errInjected))
			}
		}})
	must(t, err)
	defer e.Close()
	d, err := e.CreateDeposit(NewDeposit{ID: "D-1", Holder: "h", Agent: "a",
		TerminalSerial: "s", Amount: Money{100, "CNY"}, PaidAt: t0}, agent)
	wantErr(t, err, ErrUser)
	wantErr(t, err, errInjected) // through the PanicError
	// Notices come after the commit: the change stands, and the handle too.
	if d == nil {
		t.Fatal("no handle for a committed deposit")
	}
	info, err := d.Info()
	if err != nil || info.ID != "D-1" {
		t.Fatal(info, err)
	}
	must(t, d.SetUsage(1, 0, agent))
	if calls < 2 {
		t.Fatal("notifier not called", calls)
	}
	d.Close()
}

func TestNotices(t *testing.T) {
	f := newFixture(t, false)
	d := f.deposit("D-1")
	defer d.Close()
	must(t, d.Post(EntryForfeit, 100, finance, "ref"))
	var kinds []NoticeKind
	for _, n := range f.notices {
		kinds = append(kinds, n.Kind)
	}
	last := f.notices[len(f.notices)-1]
	if fmt.Sprint(kinds) != fmt.Sprint([]NoticeKind{NoticeDepositCreated, NoticeUsageUpdated,
		NoticeLedgerEntry}) || last.ID != "D-1" || last.Amount != 100 || last.Currency != "CNY" ||
		last.EntryKind != EntryForfeit || last.Actor != "fin-1" || last.At != t0 ||
		last.RecordKind != RecordDeposit {
		t.Fatalf("%+v", f.notices)
	}
}

func TestVisitorErrors(t *testing.T) {
	f := newFixture(t, true)
	f.deposit("D-1").Close()
	f.deposit("D-2").Close()
	var seen []string
	err := f.eng.VisitDeposits(DepositFilter{}, func(d DepositInfo) error {
		seen = append(seen, d.ID)
		return errInjected
	})
	wantErr(t, err, ErrUser)
	wantErr(t, err, errInjected)
	if len(seen) != 1 {
		t.Fatal("the listing went on after an error", seen)
	}
	err = f.eng.VisitDeposits(DepositFilter{AfterID: "D-1"}, func(d DepositInfo) error {
		panic("visitor broke")
	})
	wantErr(t, err, ErrUser)
	var pe *PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("%#v", err)
	}
	all, err := f.eng.Deposits(DepositFilter{Limit: 1, AfterID: "D-1"})
	if err != nil || len(all) != 1 || all[0].ID != "D-2" {
		t.Fatal(all, err)
	}
	f.publish()
	c, err := f.eng.OpenCase("K-1", "D-1", "P-1", 0, ReasonFraud, applicant)
	must(t, err)
	defer c.Close()
	wantErr(t, c.VisitEvents(func(Event) error { return errInjected }), errInjected)
	wantErr(t, f.eng.VisitCases(CaseFilter{}, func(CaseInfo) error { panic(errInjected) }), errInjected)
}

func TestEngineCloseClosesHandles(t *testing.T) {
	store := mustMemory(t)
	e, err := NewEngine(Options{Store: store, Clock: func() int64 { return t0 }})
	must(t, err)
	d, err := e.CreateDeposit(NewDeposit{ID: "D-1", Holder: "h", Agent: "a",
		TerminalSerial: "s", Amount: Money{100, "CNY"}, PaidAt: t0}, agent)
	must(t, err)
	p, err := e.NewPolicy("P-1", "CNY")
	must(t, err)
	must(t, e.Close())
	_, err = d.Info()
	wantErr(t, err, ErrClosed)
	wantErr(t, p.SetOffsets(true), ErrClosed)
	must(t, d.Close())
	must(t, p.Close())
	must(t, store.Close())
}

// Finalizers free what a host forgot to close: once the engine is
// unreachable, its store can be closed.
func TestFinalizers(t *testing.T) {
	store := mustMemory(t)
	func() {
		e, err := NewEngine(Options{Store: store})
		must(t, err)
		d, err := e.CreateDeposit(NewDeposit{ID: "D-1", Holder: "h", Agent: "a",
			TerminalSerial: "s", Amount: Money{100, "CNY"}, PaidAt: t0}, agent)
		must(t, err)
		_ = d
	}()
	deadline := time.Now().Add(10 * time.Second)
	for store.Close() != nil {
		if time.Now().After(deadline) {
			t.Fatal("the engine was never finalized")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// Engines on several goroutines share one Go store; calls on one engine
// from several goroutines are serialized.
func TestConcurrency(t *testing.T) {
	backend := NewMapBackend()
	store, err := NewGoStore(backend)
	must(t, err)
	defer store.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	shared, err := NewEngine(Options{Store: store, Clock: func() int64 { return t0 }})
	must(t, err)
	defer shared.Close()
	for g := 0; g < 8; g++ {
		g := g
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := shared
			if g%2 == 0 {
				own, err := NewEngine(Options{Store: store, Clock: func() int64 { return t0 }})
				if err != nil {
					errs <- err
					return
				}
				defer own.Close()
				e = own
			}
			for i := 0; i < 20; i++ {
				d, err := e.CreateDeposit(NewDeposit{ID: fmt.Sprintf("D-%d-%d", g, i), Holder: "h",
					Agent: "a", TerminalSerial: "s", Amount: Money{100, "CNY"}, PaidAt: t0}, agent)
				if err != nil {
					errs <- err
					return
				}
				if err := d.SetUsage(int64(i), 0, agent); err != nil {
					errs <- err
				}
				d.Close()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := backend.Len(RecordDeposit); n != 160 {
		t.Fatal(n)
	}
}

// No Go pointer is handed to C: no argument of a C call takes an address.
// (C memory comes from cmem; GODEBUG=cgocheck=2 checks writes at run time.)
func TestNoGoPointerToC(t *testing.T) {
	files, err := filepath.Glob("*.go")
	must(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		must(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "C" {
				return true
			}
			checked++
			for _, arg := range call.Args {
				ast.Inspect(arg, func(a ast.Node) bool {
					if u, ok := a.(*ast.UnaryExpr); ok && u.Op == token.AND {
						t.Errorf("%s: C.%s takes the address of a Go value",
							fset.Position(u.Pos()), sel.Sel.Name)
					}
					return true
				})
			}
			return true
		})
	}
	if checked < 100 {
		t.Fatalf("only %d C calls found: is the check looking at the right files?", checked)
	}
}

// Go 1.19 takes cgocheck=2 from GODEBUG at run time (the meson test runs
// the whole suite so): a Go pointer stored in C memory must then crash the
// program, as this child process shows.
func TestCgocheck2Active(t *testing.T) {
	if os.Getenv("REFUND_GO_STORE_GO_POINTER") == "1" {
		var m cmem
		p := m.alloc(unsafe.Sizeof(uintptr(0)))
		x := new(int)
		*(*unsafe.Pointer)(p) = unsafe.Pointer(x)
		m.free()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCgocheck2Active$")
	cmd.Env = append(os.Environ(), "REFUND_GO_STORE_GO_POINTER=1", "GODEBUG=cgocheck=2")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "Go pointer stored into non-Go memory") {
		t.Fatalf("cgocheck=2 did not catch a Go pointer in C memory: %v\n%s", err, out)
	}
}
