package refund

// The Go runner of the shared scenarios (tests/scenarios/README.md), a port
// of tests/scenarios/run_scenarios.c with the same checks and messages:
// every tests/scenarios/*.scn file must run to its end, on the library's
// in-memory store and on a GoStore over a MapBackend, and every
// tests/scenarios/bad/*.scn file must be refused at the line and with the
// text its first line names ("# refused at line N: TEXT").  A file is read
// and checked whole before its first line runs; every failure names
// file:line.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	scnMaxTokens = 40
	scnFileMax   = 1024 * 1024
	scnDir       = "../../tests/scenarios"
)

func TestScenarios(t *testing.T) {
	files := scenarioFiles(t, scnDir)
	for _, name := range files {
		name := name
		for _, store := range []string{"memory", "go"} {
			store := store
			t.Run(name+"/"+store, func(t *testing.T) {
				r := &scnRun{dir: scnDir, file: name, store: store}
				if err := r.runFile(filepath.Join(scnDir, name)); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestScenariosRefused(t *testing.T) {
	dir := filepath.Join(scnDir, "bad")
	for _, name := range scenarioFiles(t, dir) {
		name := name
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			wantLine, want, ok := refusalOf(path)
			if !ok {
				t.Fatalf("%s:1: a refused scenario starts with '# refused at line N: TEXT'", name)
			}
			r := &scnRun{dir: dir, file: name, store: "memory"}
			err := r.runFile(path)
			if err == nil {
				t.Fatalf("%s: the runner accepted it; expected a refusal at line %d: %s",
					name, wantLine, want)
			}
			if r.failedLine != wantLine || !strings.Contains(err.Error(), want) {
				t.Fatalf("%s: refused as %q, expected line %d and %q", name, err, wantLine, want)
			}
			t.Logf("refused as expected: %v", err)
		})
	}
}

// scenarioFiles is every *.scn in dir, sorted; none is a failure, since a
// runner that finds nothing must not pass.
func scenarioFiles(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && len(e.Name()) > 4 && strings.HasSuffix(e.Name(), ".scn") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatalf("no *.scn files in %s", dir)
	}
	return names
}

var refusalRE = regexp.MustCompile(`^# refused at line (\d+): (.+)$`)

func refusalOf(path string) (int, string, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, "", false
	}
	first := strings.SplitN(string(data), "\n", 2)[0]
	first = strings.TrimRight(first, "\r")
	m := refusalRE.FindStringSubmatch(first)
	if m == nil {
		return 0, "", false
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n, m[2], true
}

// ---- names ----

func indexOf(names []string, name string) int {
	for i := 1; i < len(names); i++ {
		if names[i] == name {
			return i
		}
	}
	return 0
}

func partyOf(name string) uint32 {
	p, err := ParseParty(name)
	if err != nil {
		return 0
	}
	return uint32(p)
}

func stateOf(name string) State {
	s, err := ParseState(name)
	if err != nil {
		return 0
	}
	return s
}

// errorOf is the code whose name is name; 1 if there is none.
func errorOf(name string) int {
	for code := 0; code > -100; code-- {
		if n := ErrorName(code); n != "REFUND_E?" && n == name {
			return code
		}
	}
	return 1
}

func codeName(code int) string {
	if code == 0 {
		return "0"
	}
	return ErrorName(code)
}

// errCode is the library code of an error from the binding (0 for nil).
func errCode(err error) int {
	var e *Error
	if err == nil {
		return 0
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeUser
}

// errMsg is the library's message for a failed call, "" if none.
func errMsg(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// ---- values ----

func parseCount(s string, max int64) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var v int64
	for _, c := range []byte(s) {
		if c < '0' || c > '9' || v > (max-int64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

const intMax = 1<<31 - 1

// parsePercent reads "80%", "12.5%", "0.01%" as basis points.
func parsePercent(s string) (int64, bool) {
	var whole, frac int64
	digits, fdigits, i := 0, 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i, digits = i+1, digits+1 {
		if whole = whole*10 + int64(s[i]-'0'); whole > 100 {
			return 0, false
		}
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i, fdigits = i+1, fdigits+1 {
			frac = frac*10 + int64(s[i]-'0')
		}
		if fdigits == 0 || fdigits > 2 {
			return 0, false
		}
		if fdigits == 1 {
			frac *= 10
		}
	}
	if digits == 0 || s[i:] != "%" || whole*100+frac > 10000 {
		return 0, false
	}
	return whole*100 + frac, true
}

// isAmount: digits, optionally '.' and digits (the currency's decimals are
// checked when run).
func isAmount(s string) bool {
	whole := len(s) - len(strings.TrimLeft(s, "0123456789"))
	if whole == 0 {
		return false
	}
	if whole == len(s) {
		return true
	}
	rest := s[whole+1:]
	frac := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	return s[whole] == '.' && frac > 0 && frac == len(rest)
}

// parseList reads a comma-separated list of names, each bit once.
func parseList(s string, bitOf func(string) uint32) (uint32, bool) {
	var mask uint32
	for _, item := range strings.Split(s, ",") {
		if item == "" || len(item) >= 64 {
			return 0, false
		}
		bit := bitOf(item)
		if bit == 0 || mask&bit != 0 {
			return 0, false
		}
		mask |= bit
	}
	return mask, true
}

func evidenceBit(name string) uint32 {
	if k := indexOf(evidenceNames, name); k != 0 {
		return Evidence(k).Bit()
	}
	return 0
}

func parseParties(s string) (uint32, bool) {
	if s == "none" {
		return 0, true
	}
	return parseList(s, partyOf)
}

// checkValue checks one positional or option value by its type letter:
// x text, t time, n count, a amount, % percentage, R reason, K evidence
// kind, L kinds, G grade, P party, Q parties or none, M payout method,
// J reject reason, S state, U part status.
func (r *scnRun) checkValue(typ byte, what, v string) error {
	switch typ {
	case 'a':
		if !isAmount(v) && !(what == "expect case CASE approved AMOUNT|none" && v == "none") {
			return r.fail("bad amount '%s' for %s", v, what)
		}
	case 't':
		if _, err := ParseTime(v); err != nil {
			return r.fail("bad time '%s' for %s", v, what)
		}
	case 'n':
		if _, ok := parseCount(v, intMax); !ok {
			return r.fail("bad count '%s' for %s", v, what)
		}
	case '%':
		if _, ok := parsePercent(v); !ok {
			return r.fail("bad percentage '%s' for %s", v, what)
		}
	case 'R':
		if indexOf(reasonNames, v) == 0 {
			return r.fail("unknown reason '%s'", v)
		}
	case 'K':
		if indexOf(evidenceNames, v) == 0 {
			return r.fail("unknown evidence kind '%s'", v)
		}
	case 'L':
		if _, ok := parseList(v, evidenceBit); !ok {
			return r.fail("unknown or repeated evidence kind in '%s'", v)
		}
	case 'G':
		if indexOf(gradeNames, v) == 0 {
			return r.fail("unknown grade '%s'", v)
		}
	case 'P':
		if partyOf(v) == 0 {
			return r.fail("unknown party '%s'", v)
		}
	case 'Q':
		if _, ok := parseParties(v); !ok {
			return r.fail("unknown or repeated party in '%s'", v)
		}
	case 'M':
		if indexOf(payoutNames, v) == 0 {
			return r.fail("unknown payout method '%s'", v)
		}
	case 'J':
		if indexOf(rejectNames, v) == 0 {
			return r.fail("unknown reject reason '%s'", v)
		}
	case 'S':
		if stateOf(v) == 0 {
			return r.fail("unknown state '%s'", v)
		}
	case 'U':
		if indexOf(partStatusNames, v) == 0 {
			return r.fail("unknown part status '%s'", v)
		}
	}
	return nil
}

// ---- lines ----

const (
	scnActs    = 1 // takes "as ACTOR:ROLE"
	scnKeyed   = 2 // takes key=KEY (case actions)
	scnOutcome = 4 // may end with "=> NAME"
	scnCaseAct = scnActs | scnKeyed | scnOutcome
)

type optSpec struct {
	name     string
	typ      byte
	required bool
}

type scnCommand struct {
	name    string
	args    string // one type letter per positional; "-" for expect
	usage   string
	flags   int
	options []optSpec
	run     func(r *scnRun, ln *scnLine) error
}

type scnOption struct{ key, value string }

type scnLine struct {
	no       int
	cmd      *scnCommand
	pos      []string
	opts     []scnOption
	actor    string
	hasActor bool
	role     Role
	outcome  int
}

func (ln *scnLine) option(key string) (string, bool) {
	for _, o := range ln.opts {
		if o.key == key {
			return o.value, true
		}
	}
	return "", false
}

type scnToken struct {
	text   string
	quoted bool
	option bool
}

var (
	depositOptions = []optSpec{{"holder", 'x', true}, {"agent", 'x', true},
		{"terminal", 'x', true}, {"paid", 't', true}, {"contract", 'x', false},
		{"end", 't', false}, {"receipt", 'x', false}}
	openOptions    = []optSpec{{"version", 'n', false}}
	submitOptions  = []optSpec{{"bank", 'x', false}}
	tickOptions    = []optSpec{{"reminders", 'n', false}, {"consequences", 'n', false}}
	balanceOptions = []optSpec{{"held", 'a', false}, {"refunded", 'a', false},
		{"deducted", 'a', false}, {"remaining", 'a', false}}
)

var scnCommands []scnCommand

func init() {
	ca := (*scnRun).doCaseAction
	scnCommands = []scnCommand{
		{"clock", "t", "clock TIME", 0, nil, (*scnRun).doClock},
		{"policy", "x", "policy FILE as A:R", scnActs | scnOutcome, nil, (*scnRun).doPolicy},
		{"deposit", "xax", "deposit ID AMOUNT CUR holder=H agent=G terminal=T paid=TIME " +
			"[contract=C] [end=TIME] [receipt=R] as A:R", scnActs | scnOutcome, depositOptions,
			(*scnRun).doDeposit},
		{"usage", "xna", "usage DEPOSIT DAYS VOLUME as A:R", scnActs | scnOutcome, nil, (*scnRun).doUsage},
		{"open", "xxxR", "open CASE DEPOSIT POLICY REASON [version=N] as A:R", scnCaseAct,
			openOptions, (*scnRun).doOpen},
		{"attach", "xKx", "attach CASE KIND REFERENCE as A:R", scnCaseAct, nil, ca},
		{"submit", "xMxx", "submit CASE METHOD NAME NUMBER [bank=BANK] as A:R", scnCaseAct,
			submitOptions, ca},
		{"start_review", "x", "start_review CASE as A:R", scnCaseAct, nil, ca},
		{"request_documents", "xL", "request_documents CASE KIND[,KIND...] as A:R", scnCaseAct, nil, ca},
		{"provide_documents", "x", "provide_documents CASE as A:R", scnCaseAct, nil, ca},
		{"approve", "xa", "approve CASE AMOUNT as A:R", scnCaseAct, nil, ca},
		{"reject", "xJx", "reject CASE REASON TEXT as A:R", scnCaseAct, nil, ca},
		{"appeal", "x", "appeal CASE as A:R", scnCaseAct, nil, ca},
		{"receive_device", "xx", "receive_device CASE TRACKING as A:R", scnCaseAct, nil, ca},
		{"inspect", "xGn", "inspect CASE GRADE MISSING_PARTS as A:R", scnCaseAct, nil, ca},
		{"set_offset", "xa", "set_offset CASE AMOUNT as A:R", scnCaseAct, nil, ca},
		{"offer", "xn", "offer CASE PARTS as A:R", scnCaseAct, nil, ca},
		{"accept", "x", "accept CASE as A:R", scnCaseAct, nil, ca},
		{"pay", "xnx", "pay CASE PART REFERENCE as A:R", scnCaseAct, nil, ca},
		{"pay_failed", "xnx", "pay_failed CASE PART REASON as A:R", scnCaseAct, nil, ca},
		{"confirm", "x", "confirm CASE as A:R", scnCaseAct, nil, ca},
		{"withdraw", "x", "withdraw CASE as A:R", scnCaseAct, nil, ca},
		{"escalate", "xP", "escalate CASE PARTY as A:R", scnCaseAct, nil, ca},
		{"reevaluate", "xn", "reevaluate CASE VERSION as A:R", scnCaseAct, nil, ca},
		{"tick", "t", "tick TIME [reminders=N] [consequences=N]", 0, tickOptions, (*scnRun).doTick},
		{"expect", "-", "expect case CASE ... | expect deposit DEPOSIT ...", 0, nil, (*scnRun).doExpect},
	}
}

// The forms of "expect": positionals after "expect" are SUBJECT ID WHAT ARGS.
type expectForm struct {
	subject, what string // what "": the deposit balance, given as options
	args, usage   string
}

var expectForms = []expectForm{
	{"case", "state", "S", "expect case CASE state NAME"},
	{"case", "remaining", "a", "expect case CASE remaining AMOUNT"},
	{"case", "gross", "a", "expect case CASE gross AMOUNT"},
	{"case", "forfeited", "a", "expect case CASE forfeited AMOUNT"},
	{"case", "damage", "a", "expect case CASE damage AMOUNT"},
	{"case", "missing_parts", "a", "expect case CASE missing_parts AMOUNT"},
	{"case", "fee", "a", "expect case CASE fee AMOUNT"},
	{"case", "offset", "a", "expect case CASE offset AMOUNT"},
	{"case", "net", "a", "expect case CASE net AMOUNT"},
	{"case", "approved", "a", "expect case CASE approved AMOUNT|none"},
	{"case", "tier", "%", "expect case CASE tier PERCENT"},
	{"case", "parts", "n", "expect case CASE parts N"},
	{"case", "part", "nU", "expect case CASE part N STATUS"},
	{"case", "escalated", "Q", "expect case CASE escalated PARTY[,PARTY...]|none"},
	{"case", "events", "n", "expect case CASE events N"},
	{"case", "verified", "", "expect case CASE verified"},
	{"deposit", "entries", "n", "expect deposit DEPOSIT entries N"},
	{"deposit", "", "", "expect deposit DEPOSIT held=A refunded=A deducted=A remaining=A"},
}

// ---- a run of one file ----

type scnRun struct {
	dir, file  string
	store      string // "memory" or "go"
	lineno     int
	failedLine int
	now        int64
	eng        *Engine
}

type scnError struct{ msg string }

func (e *scnError) Error() string { return e.msg }

func (r *scnRun) fail(format string, args ...any) error {
	r.failedLine = r.lineno
	return &scnError{fmt.Sprintf("%s:%d: ", r.file, r.lineno) + fmt.Sprintf(format, args...)}
}

// lex splits one line into tokens; comments and quotes per the README.
func (r *scnRun) lex(s string) ([]scnToken, error) {
	if !utf8.ValidString(s) {
		return nil, r.fail("the line is not valid UTF-8")
	}
	var toks []scnToken
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) || s[i] == '#' {
			break
		}
		if c := s[i]; c < 0x20 || c == 0x7F {
			return nil, r.fail("control character 0x%02X", c)
		}
		if len(toks) == scnMaxTokens {
			return nil, r.fail("more than %d tokens", scnMaxTokens)
		}
		var t scnToken
		if s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, r.fail("unterminated quote")
			}
			t = scnToken{text: s[i+1 : i+1+end], quoted: true}
			i += end + 2
		} else {
			start := i
			for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '#' && s[i] != '"' {
				i++
			}
			if i < len(s) && s[i] == '"' {
				// key="quoted value": the quotes go, the value stays
				if i == start || s[i-1] != '=' {
					return nil, r.fail("stray quote in '%s'", s[start:i+1])
				}
				end := strings.IndexByte(s[i+1:], '"')
				if end < 0 {
					return nil, r.fail("unterminated quote")
				}
				t.text = s[start:i] + s[i+1:i+1+end]
				i += end + 2
			} else {
				t.text = s[start:i]
				if i < len(s) && s[i] == '#' {
					toks = append(toks, t)
					break
				}
			}
		}
		if i < len(s) && s[i] != ' ' && s[i] != '\t' {
			return nil, r.fail("a quoted token must be followed by a space")
		}
		if i < len(s) {
			i++
		}
		toks = append(toks, t)
	}
	return toks, nil
}

func isOption(t scnToken) bool {
	eq := strings.IndexByte(t.text, '=')
	if t.quoted || t.text == "=>" || eq <= 0 {
		return false
	}
	for _, c := range []byte(t.text[:eq]) {
		if !((c >= 'a' && c <= 'z') || c == '_') {
			return false
		}
	}
	return true
}

func isWord(t scnToken, w string) bool { return !t.quoted && t.text == w }

// takeActor reads "as ACTOR:ROLE".
func (r *scnRun) takeActor(ln *scnLine, t scnToken) error {
	if ln.hasActor {
		return r.fail("'as ACTOR:ROLE' given twice")
	}
	colon := strings.LastIndexByte(t.text, ':')
	if colon <= 0 {
		return r.fail("expected ACTOR:ROLE after 'as', not '%s'", t.text)
	}
	role, err := ParseRole(t.text[colon+1:])
	if err != nil {
		return r.fail("unknown role '%s'", t.text[colon+1:])
	}
	ln.actor, ln.role, ln.hasActor = t.text[:colon], role, true
	return nil
}

// split separates the outcome, the positionals, the options and the actor.
func (r *scnRun) split(tok []scnToken, ln *scnLine) error {
	n := len(tok)
	for i := 0; i < n; i++ {
		if isWord(tok[i], "=>") {
			if i+2 != n {
				return r.fail("'=>' must be followed by exactly one error name, at the end")
			}
			if ln.outcome = errorOf(tok[i+1].text); ln.outcome == 1 {
				return r.fail("unknown error name '%s'", tok[i+1].text)
			}
			n = i
		}
	}
	i := 1
	for ; i < n && !tok[i].option && !isWord(tok[i], "as"); i++ {
		ln.pos = append(ln.pos, tok[i].text)
	}
	for ; i < n; i++ {
		switch {
		case tok[i].option:
			eq := strings.IndexByte(tok[i].text, '=')
			key := tok[i].text[:eq]
			if _, dup := ln.option(key); dup {
				return r.fail("option '%s=' given twice", key)
			}
			ln.opts = append(ln.opts, scnOption{key, tok[i].text[eq+1:]})
		case isWord(tok[i], "as"):
			if i+1 == n {
				return r.fail("missing ACTOR:ROLE after 'as'")
			}
			i++
			if err := r.takeActor(ln, tok[i]); err != nil {
				return err
			}
		default:
			return r.fail("surplus token '%s' after the options", tok[i].text)
		}
	}
	return nil
}

func findExpectForm(ln *scnLine) *expectForm {
	for i := range expectForms {
		f := &expectForms[i]
		if len(ln.pos) < 2 || f.subject != ln.pos[0] {
			continue
		}
		if f.what != "" && len(ln.pos) >= 3 && f.what == ln.pos[2] ||
			f.what == "" && len(ln.pos) == 2 {
			return f
		}
	}
	return nil
}

func (r *scnRun) checkPositionals(ln *scnLine, args string, skip int, usage string) error {
	want := skip + len(args)
	if len(ln.pos) < want {
		return r.fail("missing token: %s", usage)
	}
	if len(ln.pos) > want {
		return r.fail("surplus token '%s': %s", ln.pos[want], usage)
	}
	for i := 0; i < len(args); i++ {
		if err := r.checkValue(args[i], usage, ln.pos[skip+i]); err != nil {
			return err
		}
	}
	return nil
}

func (r *scnRun) checkOptions(ln *scnLine, specs []optSpec, flags int, name string) error {
	for _, o := range ln.opts {
		known := flags&scnKeyed != 0 && o.key == "key"
		for _, s := range specs {
			if known {
				break
			}
			if s.name == o.key {
				known = true
				if err := r.checkValue(s.typ, o.key, o.value); err != nil {
					return err
				}
			}
		}
		if !known {
			return r.fail("unknown option '%s=' for '%s'", o.key, name)
		}
	}
	for _, s := range specs {
		if _, ok := ln.option(s.name); s.required && !ok {
			return r.fail("missing option '%s=' for '%s'", s.name, name)
		}
	}
	return nil
}

func (r *scnRun) checkExpect(ln *scnLine) error {
	f := findExpectForm(ln)
	if f == nil {
		switch {
		case len(ln.pos) >= 3 && ln.pos[0] == "case":
			return r.fail("unknown expectation '%s' for a case", ln.pos[2])
		case len(ln.pos) >= 3 && ln.pos[0] == "deposit":
			return r.fail("unknown expectation '%s' for a deposit", ln.pos[2])
		case len(ln.pos) >= 1 && ln.pos[0] != "case" && ln.pos[0] != "deposit":
			return r.fail("unknown subject '%s': expect case ... or expect deposit ...", ln.pos[0])
		}
		return r.fail("missing token: expect case CASE WHAT ... | expect deposit DEPOSIT ...")
	}
	skip := 2
	if f.what != "" {
		skip = 3
	}
	if err := r.checkPositionals(ln, f.args, skip, f.usage); err != nil {
		return err
	}
	if f.what != "" {
		return r.checkOptions(ln, nil, 0, "expect")
	}
	if err := r.checkOptions(ln, balanceOptions, 0, "expect deposit"); err != nil {
		return err
	}
	if len(ln.opts) == 0 {
		return r.fail("missing option: %s (at least one)", f.usage)
	}
	return nil
}

// checkLine checks one line's shape and names; nothing runs.  A blank line
// gives a line without a command.
func (r *scnRun) checkLine(text string) (*scnLine, error) {
	ln := &scnLine{no: r.lineno}
	tok, err := r.lex(text)
	if err != nil || len(tok) == 0 {
		return ln, err
	}
	for i := range tok {
		tok[i].option = isOption(tok[i])
	}
	for i := range scnCommands {
		if !tok[0].quoted && !tok[0].option && scnCommands[i].name == tok[0].text {
			ln.cmd = &scnCommands[i]
		}
	}
	if ln.cmd == nil {
		return nil, r.fail("unknown command '%s'", tok[0].text)
	}
	cmd := ln.cmd
	if err := r.split(tok, ln); err != nil {
		return nil, err
	}
	switch {
	case ln.outcome != 0 && cmd.flags&scnOutcome == 0:
		return nil, r.fail("'%s' lines take no '=> NAME'", cmd.name)
	case cmd.flags&scnActs != 0 && !ln.hasActor:
		return nil, r.fail("missing 'as ACTOR:ROLE': %s", cmd.usage)
	case cmd.flags&scnActs == 0 && ln.hasActor:
		return nil, r.fail("'%s' lines take no 'as ACTOR:ROLE'", cmd.name)
	}
	if cmd.args == "-" {
		return ln, r.checkExpect(ln)
	}
	if err := r.checkPositionals(ln, cmd.args, 0, cmd.usage); err != nil {
		return nil, err
	}
	return ln, r.checkOptions(ln, cmd.options, cmd.flags, cmd.name)
}

// loadFile reads and checks every line of a file.
func (r *scnRun) loadFile(path string) ([]*scnLine, error) {
	data, err := os.ReadFile(path)
	if err != nil || len(data) > scnFileMax {
		return nil, r.fail("cannot read the file")
	}
	text := string(data)
	if strings.IndexByte(text, 0) >= 0 {
		return nil, r.fail("the file holds a NUL byte")
	}
	raw := strings.Split(text, "\n")
	if len(raw) > 1 && raw[len(raw)-1] == "" {
		raw = raw[:len(raw)-1]
	}
	var lines []*scnLine
	for i, s := range raw {
		r.lineno = i + 1
		ln, err := r.checkLine(strings.TrimSuffix(s, "\r"))
		if err != nil {
			return nil, err
		}
		lines = append(lines, ln)
	}
	return lines, nil
}

// runFile runs one file on a fresh engine, store and clock.
func (r *scnRun) runFile(path string) error {
	lines, err := r.loadFile(path)
	if err != nil {
		return err
	}
	var store Store
	if r.store == "go" {
		store, err = NewGoStore(NewMapBackend())
	} else {
		store, err = NewMemoryStore()
	}
	if err != nil {
		return err
	}
	defer store.Close()
	r.now = 1735689600 // 2025-01-01T00:00:00Z, as the C fixture
	r.eng, err = NewEngine(Options{Store: store, Clock: func() int64 { return r.now }})
	if err != nil {
		return err
	}
	defer r.eng.Close()
	ran := 0
	for _, ln := range lines {
		if ln.cmd == nil {
			continue
		}
		r.lineno = ln.no
		if err := ln.cmd.run(r, ln); err != nil {
			return err
		}
		ran++
	}
	if ran == 0 {
		r.lineno = 1
		return r.fail("the file has no commands")
	}
	return nil
}

// ---- helpers for running ----

func timeOf(text string) int64 {
	t, _ := ParseTime(text) // checked before the run
	return t
}

func countOf(text string) int64 {
	n, _ := parseCount(text, intMax) // checked before the run
	return n
}

func (r *scnRun) amountOf(currency, text string) (int64, error) {
	m, err := r.eng.ParseMoney(currency, text)
	if err != nil {
		return 0, r.fail("bad amount '%s' in %s: %s (%s)", text, currency,
			codeName(errCode(err)), errMsg(err))
	}
	return m.Amount, nil
}

func (r *scnRun) moneyText(currency string, amount int64) string {
	s, err := r.eng.FormatMoney(Money{Amount: amount, Currency: currency})
	if err != nil {
		return fmt.Sprintf("%d minor units", amount)
	}
	return s
}

func actOf(ln *scnLine) Act {
	key, _ := ln.option("key")
	return Act{Actor: ln.actor, Role: ln.role, Key: key}
}

// snapshot is what a failed call must leave as it was.
type snapshot struct {
	caseState      State // 0: no such case
	caseVersion    uint64
	depositVersion uint64 // 0: no such deposit
	depositEntries int
}

func (r *scnRun) snapshot(caseID, depositID string) snapshot {
	var s snapshot
	if caseID != "" {
		if c, err := r.eng.LoadCase(caseID); err == nil {
			info, _ := c.Info()
			s.caseState, s.caseVersion = info.State, info.Version
			if depositID == "" {
				depositID = info.DepositID
			}
			c.Close()
		}
	}
	if depositID != "" {
		if d, err := r.eng.LoadDeposit(depositID); err == nil {
			info, _ := d.Info()
			entries, _ := d.Entries()
			s.depositVersion, s.depositEntries = info.Version, len(entries)
			d.Close()
		}
	}
	return s
}

func stateText(s State) string {
	if s == 0 {
		return "none"
	}
	return s.String()
}

// checkOutcome compares a call's result with the line's "=> NAME"; a call
// expected to fail must leave the case and its deposit as they were.
// After every action, every deposit's ledger must still balance.
func (r *scnRun) checkOutcome(ln *scnLine, callErr error, caseID, depositID string, before snapshot) error {
	rc := errCode(callErr)
	if rc != ln.outcome {
		if rc == 0 {
			return r.fail("%s returned 0, expected %s", ln.cmd.name, codeName(ln.outcome))
		}
		return r.fail("%s returned %s (%s), expected %s", ln.cmd.name, codeName(rc),
			errMsg(callErr), codeName(ln.outcome))
	}
	if rc != 0 {
		after := r.snapshot(caseID, depositID)
		if after.caseState != before.caseState || after.caseVersion != before.caseVersion {
			id := caseID
			if id == "" {
				id = "-"
			}
			return r.fail("%s failed as expected but changed case %s (state %s -> %s, "+
				"version %d -> %d)", ln.cmd.name, id, stateText(before.caseState),
				stateText(after.caseState), before.caseVersion, after.caseVersion)
		}
		if after.depositVersion != before.depositVersion ||
			after.depositEntries != before.depositEntries {
			id := depositID
			if id == "" {
				id = "of the case"
			}
			return r.fail("%s failed as expected but changed deposit %s", ln.cmd.name, id)
		}
	}
	deposits, err := r.eng.Deposits(DepositFilter{})
	if err != nil {
		return r.fail("listing deposits failed: %s (%s)", codeName(errCode(err)), errMsg(err))
	}
	for _, d := range deposits {
		b := d.Balance
		if b.Remaining < 0 || b.Held != b.Refunded+b.Deducted+b.Remaining {
			return r.fail("deposit %s breaks held = refunded + deducted + remaining "+
				"(%d != %d + %d + %d)", d.ID, b.Held, b.Refunded, b.Deducted, b.Remaining)
		}
	}
	return nil
}

// ---- setup commands ----

func (r *scnRun) doClock(ln *scnLine) error {
	r.now = timeOf(ln.pos[0])
	return nil
}

func (r *scnRun) doPolicy(ln *scnLine) error {
	path := r.dir + "/" + ln.pos[0]
	text, err := os.ReadFile(path)
	if err != nil || len(text) > scnFileMax {
		return r.fail("cannot read policy file '%s'", path)
	}
	p, err := r.eng.ParsePolicy(string(text))
	if err == nil {
		err = p.Publish(Act{Actor: ln.actor, Role: ln.role})
		p.Close()
	}
	return r.checkOutcome(ln, err, "", "", snapshot{})
}

func (r *scnRun) doDeposit(ln *scnLine) error {
	nd := NewDeposit{ID: ln.pos[0], ContractEnd: TimeNone}
	amount, err := r.amountOf(ln.pos[2], ln.pos[1])
	if err != nil {
		return err
	}
	nd.Amount = Money{Amount: amount, Currency: ln.pos[2]}
	nd.Holder, _ = ln.option("holder")
	nd.Agent, _ = ln.option("agent")
	nd.TerminalSerial, _ = ln.option("terminal")
	nd.ContractID, _ = ln.option("contract")
	nd.Receipt, _ = ln.option("receipt")
	paid, _ := ln.option("paid")
	nd.PaidAt = timeOf(paid)
	if end, ok := ln.option("end"); ok {
		nd.ContractEnd = timeOf(end)
	}
	before := r.snapshot("", nd.ID)
	d, err := r.eng.CreateDeposit(nd, Act{Actor: ln.actor, Role: ln.role})
	if d != nil {
		d.Close()
	}
	return r.checkOutcome(ln, err, "", nd.ID, before)
}

func (r *scnRun) doUsage(ln *scnLine) error {
	d, err := r.eng.LoadDeposit(ln.pos[0])
	if err != nil {
		return r.fail("no deposit '%s': %s", ln.pos[0], codeName(errCode(err)))
	}
	defer d.Close()
	info, _ := d.Info()
	volume, err := r.amountOf(info.Currency, ln.pos[2])
	if err != nil {
		return err
	}
	before := r.snapshot("", ln.pos[0])
	err = d.SetUsage(countOf(ln.pos[1]), volume, Act{Actor: ln.actor, Role: ln.role})
	return r.checkOutcome(ln, err, "", ln.pos[0], before)
}

// ---- case actions ----

func (r *scnRun) doOpen(ln *scnLine) error {
	var version uint32
	if v, ok := ln.option("version"); ok {
		version = uint32(countOf(v))
	}
	before := r.snapshot(ln.pos[0], ln.pos[1])
	c, err := r.eng.OpenCase(ln.pos[0], ln.pos[1], ln.pos[2], version,
		Reason(indexOf(reasonNames, ln.pos[3])), actOf(ln))
	if c != nil {
		c.Close()
	}
	return r.checkOutcome(ln, err, ln.pos[0], ln.pos[1], before)
}

// caseAmount reads an amount in the currency of the case's deposit.
func (r *scnRun) caseAmount(c *Case, text string) (int64, error) {
	info, _ := c.Info()
	d, err := r.eng.LoadDeposit(info.DepositID)
	if err != nil {
		return 0, r.fail("cannot load deposit %s: %s", info.DepositID, codeName(errCode(err)))
	}
	defer d.Close()
	dinfo, _ := d.Info()
	return r.amountOf(dinfo.Currency, text)
}

// actOn takes the line's action on a loaded case: the runner's own error,
// or nil with *callErr set.
func (r *scnRun) actOn(ln *scnLine, c *Case, callErr *error) error {
	act, p := actOf(ln), ln.pos
	switch ln.cmd.name {
	case "attach":
		*callErr = c.Attach(act, Evidence(indexOf(evidenceNames, p[1])), p[2])
	case "submit":
		bank, _ := ln.option("bank")
		*callErr = c.Submit(act, Account{Method: PayoutMethod(indexOf(payoutNames, p[1])),
			Name: p[2], Number: p[3], Bank: bank})
	case "start_review":
		*callErr = c.StartReview(act)
	case "request_documents":
		mask, _ := parseList(p[1], evidenceBit)
		*callErr = c.RequestDocuments(act, mask)
	case "provide_documents":
		*callErr = c.ProvideDocuments(act)
	case "approve", "set_offset":
		amount, err := r.caseAmount(c, p[1])
		if err != nil {
			return err
		}
		if ln.cmd.name == "approve" {
			*callErr = c.Approve(act, amount)
		} else {
			*callErr = c.SetOffset(act, amount)
		}
	case "reject":
		*callErr = c.Reject(act, RejectReason(indexOf(rejectNames, p[1])), p[2])
	case "appeal":
		*callErr = c.Appeal(act)
	case "receive_device":
		*callErr = c.ReceiveDevice(act, p[1])
	case "inspect":
		*callErr = c.Inspect(act, Grade(indexOf(gradeNames, p[1])), int(countOf(p[2])))
	case "offer":
		*callErr = c.Offer(act, int(countOf(p[1])))
	case "accept":
		*callErr = c.Accept(act)
	case "pay":
		*callErr = c.Pay(act, int(countOf(p[1])), p[2])
	case "pay_failed":
		*callErr = c.PayFailed(act, int(countOf(p[1])), p[2])
	case "confirm":
		*callErr = c.Confirm(act)
	case "withdraw":
		*callErr = c.Withdraw(act)
	case "escalate":
		*callErr = c.Escalate(act, Party(partyOf(p[1])))
	case "reevaluate":
		*callErr = c.Reevaluate(act, uint32(countOf(p[1])))
	default:
		return r.fail("no case action '%s'", ln.cmd.name)
	}
	return nil
}

func (r *scnRun) doCaseAction(ln *scnLine) error {
	c, callErr := r.eng.LoadCase(ln.pos[0])
	before := r.snapshot(ln.pos[0], "")
	if c != nil {
		defer c.Close()
	}
	if callErr == nil {
		if err := r.actOn(ln, c, &callErr); err != nil {
			return err
		}
	}
	return r.checkOutcome(ln, callErr, ln.pos[0], "", before)
}

// ---- time ----

func (r *scnRun) doTick(ln *scnLine) error {
	res, err := r.eng.Tick(timeOf(ln.pos[0]), 0)
	if err != nil {
		return r.fail("tick returned %s (%s)", codeName(errCode(err)), errMsg(err))
	}
	for _, k := range []struct {
		key string
		got int
	}{{"reminders", res.Reminders}, {"consequences", res.Consequences}} {
		if want, ok := ln.option(k.key); ok && int64(k.got) != countOf(want) {
			return r.fail("tick sent %d %s, expected %s", k.got, k.key, want)
		}
	}
	return nil
}

// ---- checks ----

func (r *scnRun) expectQuoteField(c *Case, id, field, want string) error {
	q, err := c.Quote()
	if err != nil {
		return r.fail("quote of case %s: %s (%s)", id, codeName(errCode(err)), errMsg(err))
	}
	if field == "tier" {
		bp, _ := parsePercent(want)
		if int64(q.TierBP) != bp {
			return r.fail("case %s tier is %d.%02d%%, expected %s", id, q.TierBP/100, q.TierBP%100, want)
		}
		return nil
	}
	got := map[string]int64{"remaining": q.Remaining, "gross": q.Gross, "forfeited": q.Forfeited,
		"damage": q.Damage, "missing_parts": q.MissingParts, "fee": q.Fee, "offset": q.Offset,
		"net": q.Net, "approved": q.Approved}[field]
	expected := int64(-1)
	if !(field == "approved" && want == "none") {
		if expected, err = r.amountOf(q.Currency, want); err != nil {
			return err
		}
	}
	if got != expected {
		gotText, wantText := r.moneyText(q.Currency, got), "none"
		if got == -1 && field == "approved" {
			gotText = "none"
		}
		if expected != -1 {
			wantText = r.moneyText(q.Currency, expected)
		}
		return r.fail("case %s %s is %s, expected %s", id, field, gotText, wantText)
	}
	return nil
}

func (r *scnRun) expectCase(ln *scnLine, c *Case) error {
	id, what := ln.pos[1], ln.pos[2]
	info, err := c.Info()
	if err != nil {
		return r.fail("case %s: %v", id, err)
	}
	switch what {
	case "state":
		if info.State != stateOf(ln.pos[3]) {
			return r.fail("case %s is %s, expected %s", id, info.State, ln.pos[3])
		}
	case "parts":
		if int64(info.Parts) != countOf(ln.pos[3]) {
			return r.fail("case %s has %d parts, expected %s", id, info.Parts, ln.pos[3])
		}
	case "part":
		parts, _ := c.Parts()
		n := countOf(ln.pos[3])
		if n < 1 || n > int64(len(parts)) {
			return r.fail("case %s part %s: %s", id, ln.pos[3], codeName(CodeNotFound))
		}
		part := parts[n-1]
		if int(part.Status) != indexOf(partStatusNames, ln.pos[4]) {
			name := "?"
			if part.Status > 0 && int(part.Status) < len(partStatusNames) {
				name = partStatusNames[part.Status]
			}
			return r.fail("case %s part %s is %s, expected %s", id, ln.pos[3], name, ln.pos[4])
		}
	case "escalated":
		mask, _ := parseParties(ln.pos[3])
		if uint32(info.Escalations) != mask {
			return r.fail("case %s escalations are 0x%X, expected %s (0x%X)", id,
				uint32(info.Escalations), ln.pos[3], mask)
		}
	case "events":
		want := countOf(ln.pos[3])
		var n int64
		if err := c.VisitEvents(func(Event) error { n++; return nil }); err != nil {
			return r.fail("events of case %s: %s (%s)", id, codeName(errCode(err)), errMsg(err))
		}
		if n != want {
			return r.fail("case %s has %d events, expected %d", id, n, want)
		}
	case "verified":
		if bad, err := c.Verify(); err != nil {
			return r.fail("case %s does not verify: %s at event %d (%s)", id,
				codeName(errCode(err)), bad, errMsg(err))
		}
	default:
		return r.expectQuoteField(c, id, what, ln.pos[3])
	}
	return nil
}

func (r *scnRun) expectDeposit(ln *scnLine) error {
	d, err := r.eng.LoadDeposit(ln.pos[1])
	if err != nil {
		return r.fail("no deposit '%s': %s", ln.pos[1], codeName(errCode(err)))
	}
	defer d.Close()
	info, _ := d.Info()
	if len(ln.pos) == 2 {
		b := info.Balance
		for _, f := range []struct {
			name string
			got  int64
		}{{"held", b.Held}, {"refunded", b.Refunded}, {"deducted", b.Deducted}, {"remaining", b.Remaining}} {
			text, ok := ln.option(f.name)
			if !ok {
				continue
			}
			want, err := r.amountOf(info.Currency, text)
			if err != nil {
				return err
			}
			if f.got != want {
				return r.fail("deposit %s %s is %s, expected %s", ln.pos[1], f.name,
					r.moneyText(info.Currency, f.got), r.moneyText(info.Currency, want))
			}
		}
		return nil
	}
	entries, _ := d.Entries()
	if int64(len(entries)) != countOf(ln.pos[3]) {
		return r.fail("deposit %s has %d entries, expected %s", ln.pos[1], len(entries), ln.pos[3])
	}
	return nil
}

func (r *scnRun) doExpect(ln *scnLine) error {
	if ln.pos[0] == "deposit" {
		return r.expectDeposit(ln)
	}
	c, err := r.eng.LoadCase(ln.pos[1])
	if err != nil {
		return r.fail("no case '%s': %s", ln.pos[1], codeName(errCode(err)))
	}
	defer c.Close()
	return r.expectCase(ln, c)
}
