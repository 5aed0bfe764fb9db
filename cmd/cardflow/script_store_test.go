package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// storeExecution is the script command
//
//	store-execution DB STATUS PAYLOAD [JOURNAL]
//
// which makes the SQLite store DB hold one execution of flow "f" with the
// trigger payload of file PAYLOAD, the journal entries of file JOURNAL (a
// JSON array of {card, attempt, status, input, output}) and the final
// STATUS, and sets $ID to its id: a store as cardflow run leaves it, for
// the scripts of history, show and replay.
func storeExecution(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: store-execution DB STATUS PAYLOAD [JOURNAL]")
	}
	var entries []struct {
		Card    string          `json:"card"`
		Attempt int             `json:"attempt"`
		Status  string          `json:"status"`
		Input   json.RawMessage `json:"input"`
		Output  json.RawMessage `json:"output"`
	}
	if len(args) == 4 {
		ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[3])), &entries))
	}
	st, err := sqlite.Open(ts.MkAbs(args[0]), sqlite.Options{})
	ts.Check(err)
	defer st.Close()
	ctx := context.Background()
	enq, err := st.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(ts.ReadFile(args[2])), ReceivedAt: time.Now()}}, store.EnqueueOptions{})
	ts.Check(err)
	id := enq[0].ID
	_, err = st.Claim(ctx, "script", 1, time.Minute, store.ClaimOptions{})
	ts.Check(err)
	for _, e := range entries {
		ts.Check(st.Append(ctx, store.JournalEntry{ExecutionID: id, Card: e.Card, Attempt: e.Attempt, Status: store.EntryStatus(e.Status),
			Input: e.Input, Output: e.Output, StartedAt: time.Now(), EndedAt: time.Now()}))
	}
	ts.Check(st.Finish(ctx, id, store.Status(args[1]), nil, ""))
	ts.Setenv("ID", id)
}
