package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
)

// user is an Okta user an event is about.
type user struct {
	ID    string
	Login string
	First string
	Last  string
}

func (u user) profile() map[string]any {
	return map[string]any{"firstName": u.First, "lastName": u.Last, "login": u.Login, "email": u.Login,
		"department": "Engineering", "manager": "Ola Nordmann"}
}

// makeUsers are n users with fixed ids, for the seed file.
func makeUsers(n int) []user {
	us := make([]user, n)
	for i := range us {
		us[i] = user{ID: fmt.Sprintf("00ubench%012d", i), Login: fmt.Sprintf("bench.user%d@acme.example", i),
			First: "Bench", Last: fmt.Sprintf("User%d", i)}
	}
	return us
}

// writeSeed writes the users as an Okta emulator seed (STAGED, as
// POST /api/v1/users?activate=false leaves them).
func writeSeed(path string, us []user) error {
	type seedUser struct {
		ID      string         `json:"id"`
		Status  string         `json:"status"`
		Profile map[string]any `json:"profile"`
	}
	seed := struct {
		Users []seedUser `json:"users"`
	}{Users: make([]seedUser, len(us))}
	for i, u := range us {
		seed.Users[i] = seedUser{ID: u.ID, Status: "STAGED", Profile: u.profile()}
	}
	data, err := json.Marshal(seed)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// seedAPI creates the users through the emulator's REST API, as an admin
// would: POST /api/v1/users?activate=false.
func (b *bench) seedAPI(ctx context.Context) error {
	us := makeUsers(b.opts.Users)
	b.logf("creating %d users through POST /api/v1/users?activate=false", len(us))
	const parallel = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				id, err := b.createUser(ctx, us[i])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				us[i].ID = id
				mu.Unlock()
			}
		}()
	}
	for i := range us {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	b.users = us
	return ctx.Err()
}

func (b *bench) createUser(ctx context.Context, u user) (string, error) {
	body, _ := json.Marshal(map[string]any{"profile": u.profile()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.oktaURL+"/api/v1/users?activate=false", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "SSWS "+oktaToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.ID == "" {
		return "", fmt.Errorf("creating user %s: HTTP %d (%v)", u.Login, resp.StatusCode, err)
	}
	return out.ID, nil
}
