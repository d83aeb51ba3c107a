package refund

import (
	"bytes"
	"fmt"
	"sort"
	"sync"
)

// MapBackend is a Backend (and Scanner) kept in Go maps: a reference
// implementation of the store contract for hosts that persist in Go, and
// a store for tests.  It locks itself, so engines on several goroutines
// may share it.  Its deadline index is a sorted slice, so Due costs what is
// due.
type MapBackend struct {
	mu      sync.Mutex
	records map[recordKey]*mapRecord
	events  map[recordKey][]StoredEvent
	due     []dueKey // sorted by (deadline, kind, id)
}

type recordKey struct {
	kind RecordKind
	id   string
}

type mapRecord struct {
	Record
	index Index
}

type dueKey struct {
	deadline int64
	recordKey
}

func (a dueKey) less(b dueKey) bool {
	if a.deadline != b.deadline {
		return a.deadline < b.deadline
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	return a.id < b.id
}

// NewMapBackend creates an empty backend.
func NewMapBackend() *MapBackend {
	return &MapBackend{records: map[recordKey]*mapRecord{}, events: map[recordKey][]StoredEvent{}}
}

// Load implements Backend.
func (b *MapBackend) Load(kind RecordKind, id string) (Record, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.records[recordKey{kind, id}]
	if !ok {
		return Record{}, ErrNotFound
	}
	return r.Record, nil
}

// Commit implements Backend: everything is checked before anything is
// written.
func (b *MapBackend) Commit(batch *Batch) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.check(batch); err != nil {
		return err
	}
	for _, p := range batch.Puts {
		k := recordKey{p.Kind, p.ID}
		if old, ok := b.records[k]; ok {
			b.unindex(k, old.index.NextDeadline)
		}
		b.records[k] = &mapRecord{Record: Record{Kind: p.Kind, ID: p.ID,
			Version: p.ExpectedVersion + 1, Data: p.Data}, index: p.Index}
		b.indexDue(k, p.Index.NextDeadline)
	}
	for _, e := range batch.Events {
		k := recordKey{e.Kind, e.ID}
		b.events[k] = append(b.events[k], e)
	}
	return nil
}

func (b *MapBackend) check(batch *Batch) error {
	seen := map[recordKey]bool{}
	for _, p := range batch.Puts {
		k := recordKey{p.Kind, p.ID}
		if p.ID == "" || seen[k] {
			return fmt.Errorf("put of %q: %w", p.ID, ErrInvalid)
		}
		seen[k] = true
		var have uint64
		if r, ok := b.records[k]; ok {
			have = r.Version
		}
		if have != p.ExpectedVersion {
			return ErrConflict
		}
	}
	next := map[recordKey]uint64{}
	for _, e := range batch.Events {
		k := recordKey{e.Kind, e.ID}
		if e.ID == "" {
			return fmt.Errorf("event without id: %w", ErrInvalid)
		}
		n, ok := next[k]
		if !ok {
			n = uint64(len(b.events[k])) + 1
		}
		if e.Seq != n {
			return ErrConflict
		}
		next[k] = n + 1
	}
	return nil
}

func (b *MapBackend) indexDue(k recordKey, deadline int64) {
	if deadline == NoDeadline {
		return
	}
	d := dueKey{deadline, k}
	i := sort.Search(len(b.due), func(i int) bool { return !b.due[i].less(d) })
	b.due = append(b.due, dueKey{})
	copy(b.due[i+1:], b.due[i:])
	b.due[i] = d
}

func (b *MapBackend) unindex(k recordKey, deadline int64) {
	if deadline == NoDeadline {
		return
	}
	d := dueKey{deadline, k}
	i := sort.Search(len(b.due), func(i int) bool { return !b.due[i].less(d) })
	if i < len(b.due) && b.due[i] == d {
		b.due = append(b.due[:i], b.due[i+1:]...)
	}
}

// Events implements Backend.
func (b *MapBackend) Events(kind RecordKind, id string, fromSeq uint64) ([]StoredEvent, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []StoredEvent
	for _, e := range b.events[recordKey{kind, id}] {
		if e.Seq >= fromSeq {
			out = append(out, e)
		}
	}
	return out, nil
}

// Due implements Backend.
func (b *MapBackend) Due(before int64, limit int) ([]DueRecord, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []DueRecord
	for _, d := range b.due {
		if d.deadline > before || (limit > 0 && len(out) == limit) {
			break
		}
		out = append(out, DueRecord{Kind: d.kind, ID: d.id, NextDeadline: d.deadline})
	}
	return out, nil
}

// Scan implements Scanner.
func (b *MapBackend) Scan(kind RecordKind, f ScanFilter) ([]Record, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Record
	for k, r := range b.records {
		if k.kind == kind && matches(r, f) {
			out = append(out, r.Record)
		}
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare([]byte(out[i].ID), []byte(out[j].ID)) < 0 })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func matches(r *mapRecord, f ScanFilter) bool {
	same := func(want, have string) bool { return want == "" || want == have }
	return same(f.DepositID, r.index.DepositID) && same(f.Holder, r.index.Holder) &&
		same(f.Agent, r.index.Agent) && same(f.State, r.index.State) &&
		(f.AfterID == "" || r.ID > f.AfterID)
}

// Len is the number of records of a kind, for tests and reports.
func (b *MapBackend) Len(kind RecordKind) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k := range b.records {
		if k.kind == kind {
			n++
		}
	}
	return n
}
