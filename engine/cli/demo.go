package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/console"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/flows"
	"github.com/spf13/cobra"
)

// DemoOptions are the inputs of cardflow demo.
type DemoOptions struct {
	IO      *IOStreams
	F       *Factory
	Dir     string
	Timeout time.Duration
	// Console keeps the emulators, the engine and the console up after the
	// scenario, until a signal.
	Console       bool
	ConsoleListen string
	// consoleReady, when set, receives the console's URL and token (tests).
	consoleReady func(url, token string)
	// Tenants starts the emulated tenants (Emulators.Demo).
	Tenants func(oktaToken string) (DemoTenants, error)
	// NewEngine builds the engine that runs the flows (engine.New).
	NewEngine func(engine.Options) *engine.Engine
	// OpenStore opens the demo's store, a SQLite file in Dir.
	OpenStore func(path string) (store.Store, error)
}

// NewCmdDemo returns `cardflow demo`.
func NewCmdDemo(f *Factory, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{IO: f.IO, F: f, Tenants: f.Emulators.Demo, NewEngine: engine.New, OpenStore: openSQLite}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the onboarding approval scenario end to end against the built-in emulators",
		Example: `  # The whole scenario in a temporary directory
  cardflow demo

  # Keep the flows, store and log to look at afterwards
  cardflow demo --dir ./demo`,
		Long: `Start the Okta and ServiceNow emulators, run the onboarding flows (the files of
flows/onboarding) on an embedded SQLite store, and play the scenario: a user is
created in Okta, cardflow opens a ServiceNow incident, the business owner
resolves it, cardflow grants the groups and apps, activates the user and closes
the incident; then a second user is rejected and deactivated.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return demoRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "working directory for the flows, store and log (default: a new temporary directory)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 60*time.Second, "give up if a step takes longer")
	cmd.Flags().BoolVar(&opts.Console, "console", false, "afterwards, keep the emulators and cardflow running and serve the web console until Ctrl-C")
	cmd.Flags().StringVar(&opts.ConsoleListen, "console-listen", "127.0.0.1:9090", "address of the console with --console")
	return cmd
}

// demo is the running scenario.
type demo struct {
	out     io.Writer
	tenants DemoTenants
	store   store.Store
	timeout time.Duration
	// keptDB is the store's file when --dir keeps it, else "".
	keptDB string
}

const (
	demoToken      = "demo-okta-token"
	demoHookSecret = "demo-hook-secret"
	demoApprover   = "beth.anglin"
)

// demoApps are the apps the demo reports; the flows grant the default of
// their apps variable, the same two.
var demoApps = []string{"Slack", "Zoom"}

func demoRun(ctx context.Context, opts *DemoOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir := opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "cardflow-demo-")
		if err != nil {
			return exit(ExitProblem, err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	out := opts.IO.Out
	d := &demo{out: out, timeout: opts.Timeout}
	if opts.Dir != "" {
		d.keptDB = filepath.Join(dir, "cardflow.db")
	}

	fmt.Fprintln(out, "cardflow demo: the onboarding approval scenario, end to end, on this machine.")
	fmt.Fprintln(out)
	if opts.Tenants == nil {
		return exit(ExitProblem, errors.New("this build of cardflow has no emulators for the demo"))
	}
	tenants, err := opts.Tenants(demoToken)
	if err != nil {
		return exit(ExitProblem, err)
	}
	defer tenants.Close()
	d.tenants = tenants
	oktaURL, stopOkta, err := serveLoopback(tenants.Okta())
	if err != nil {
		return exit(ExitProblem, err)
	}
	defer stopOkta()
	snURL, stopSN, err := serveLoopback(tenants.ServiceNow())
	if err != nil {
		return exit(ExitProblem, err)
	}
	defer stopSN()
	d.step("Started the Okta emulator at %s and the ServiceNow emulator at %s.", oktaURL, snURL)

	flowDir := filepath.Join(dir, "flows")
	if err := flows.WriteOnboarding(flowDir); err != nil {
		return exit(ExitProblem, err)
	}
	st, err := opts.OpenStore(filepath.Join(dir, "cardflow.db"))
	if err != nil {
		return exit(ExitProblem, err)
	}
	defer st.Close()
	d.store = st
	logFile, err := os.Create(filepath.Join(dir, "cardflow.log"))
	if err != nil {
		return exit(ExitProblem, err)
	}
	defer logFile.Close()
	env := map[string]string{
		"OKTA_ORG_URL":            oktaURL,
		"OKTA_API_TOKEN":          demoToken,
		"OKTA_EVENT_HOOK_SECRET":  demoHookSecret,
		"SERVICENOW_INSTANCE_URL": snURL,
		"SERVICENOW_USERNAME":     "svc.cardflow",
		"SERVICENOW_PASSWORD":     "cardflow-dev",
	}
	eng := opts.NewEngine(engine.Options{
		Registry: opts.F.Registry,
		Store:    st,
		Paths:    []string{flowDir},
		Vars:     lang.VarValues{Flags: []string{"poll_interval=1s"}},
		Host:     lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
		Logger:   slog.New(slog.NewJSONHandler(logFile, nil)),
	})
	if diags, err := eng.Reload(ctx); err != nil {
		return exit(ExitFailed, fmt.Errorf("the onboarding flows do not load: %s", diags.Error()))
	}
	engURL, stopEng, err := serveLoopback(eng.Handler())
	if err != nil {
		return exit(ExitProblem, err)
	}
	defer stopEng()
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(ctx) }()
	defer func() { cancel(); <-engDone }()
	d.step("cardflow runs flows/onboarding (request_approval, provision_on_approval, on_rejection) at %s,\n  polling ServiceNow every second; store and log in %s.", engURL, dir)

	if err := tenants.RegisterEventHook("cardflow onboarding", engURL+"/hooks/okta/main", demoHookSecret,
		[]string{"user.lifecycle.create"}); err != nil {
		return exit(ExitProblem, fmt.Errorf("registering the event hook: %w", err))
	}
	d.step("Registered an Okta event hook for user.lifecycle.create; cardflow answered the verification challenge.")
	fmt.Fprintln(out)

	kari, err := d.approval(ctx)
	if err != nil {
		return exit(ExitFailed, err)
	}
	fmt.Fprintln(out)
	ola, err := d.rejection(ctx)
	if err != nil {
		return exit(ExitFailed, err)
	}
	fmt.Fprintln(out)
	if err := d.settle(ctx); err != nil {
		return exit(ExitFailed, fmt.Errorf("waiting for the last executions: %w", err))
	}
	d.summary(ctx, []demoUser{kari, ola})
	if opts.Console {
		return d.serveConsole(ctx, opts, eng)
	}
	return nil
}

// serveConsole serves the web console over the demo's engine until a
// signal, with a token made for this run.
func (d *demo) serveConsole(ctx context.Context, opts *DemoOptions, eng *engine.Engine) error {
	ln, err := net.Listen("tcp", opts.ConsoleListen)
	if err != nil {
		return exit(ExitProblem, fmt.Errorf("console: %w", err))
	}
	// An admin token as `cardflow admin token create` makes one (cfadm_,
	// 256 random bits), kept only in memory for this run.
	token, err := server.GenerateToken()
	if err != nil {
		return exit(ExitProblem, fmt.Errorf("console: %w", err))
	}
	var tokens console.Tokens
	tokens.Add(token, console.Principal{Name: "demo", Role: console.RoleOperate})
	c := console.New(console.Options{Source: &engine.ConsoleSource{Store: d.store, Engine: eng}, Auth: &tokens})
	srv := &http.Server{Handler: c, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/ui/"
	fmt.Fprintln(d.out)
	fmt.Fprintf(d.out, "The console is at %s\nLog in with this admin token (operate role, valid while the demo runs):\n  %s\n", url, token)
	fmt.Fprintln(d.out, "The emulators and cardflow keep running; Ctrl-C stops them.")
	if opts.consoleReady != nil {
		opts.consoleReady(url, token)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	select {
	case <-sigs:
	case <-ctx.Done():
	}
	return nil
}

// settle waits until no execution is pending or running, so that the
// summary counts finished work only.
func (d *demo) settle(ctx context.Context) error {
	return d.wait(ctx, func() bool {
		for _, s := range []store.Status{store.Pending, store.Running} {
			exs, err := d.store.Executions(ctx, store.Filter{Status: s, Limit: 1})
			if err != nil || len(exs) > 0 {
				return false
			}
		}
		return true
	})
}

type demoUser struct {
	name, login, id, incident, decision string
}

func (d *demo) approval(ctx context.Context) (demoUser, error) {
	fmt.Fprintln(d.out, "1. Approval")
	u, inc, err := d.newHire(ctx, "Kari", "Nordmann", "Finance")
	if err != nil {
		return u, err
	}
	d.step("%s resolves %s (state 6, close code \"Solution provided\") to approve.", demoApprover, inc["number"])
	if err := d.tenants.UpdateRecord("incident", inc["sys_id"], demoApprover, map[string]string{
		"state": "6", "close_code": "Solution provided", "close_notes": "Approved by the business owner: access as requested.",
	}); err != nil {
		return u, err
	}
	closed, err := d.waitIncident(ctx, inc["sys_id"], "7")
	if err != nil {
		return u, fmt.Errorf("waiting for cardflow to close %s: %w", inc["number"], err)
	}
	d.step("cardflow added %s to %s, activated the account (status %s: Okta emailed an activation link),", u.login, strings.Join(d.tenants.UserGroups(u.id), ", "), d.tenants.UserStatus(u.id))
	fmt.Fprintf(d.out, "   assigned %s, and closed %s (state %s, close code %q):\n     %q\n",
		strings.Join(d.appsOf(u.id), ", "), closed["number"], closed["state"], closed["close_code"], closed["close_notes"])
	// A new hire has no password: the account waits PROVISIONED until they
	// finish the welcome flow, which is theirs to do, not cardflow's.
	if err := d.tenants.CompleteActivation(u.id); err != nil {
		return u, fmt.Errorf("%s finishing the welcome flow: %w", u.name, err)
	}
	d.step("%s follows the link in Okta's welcome email and sets a password: status %s.", u.name, d.tenants.UserStatus(u.id))
	u.decision = "approved"
	return u, nil
}

func (d *demo) rejection(ctx context.Context) (demoUser, error) {
	fmt.Fprintln(d.out, "2. Rejection")
	u, inc, err := d.newHire(ctx, "Ola", "Hansen", "Sales")
	if err != nil {
		return u, err
	}
	d.step("%s cancels %s (state 8) to reject.", demoApprover, inc["number"])
	if err := d.tenants.UpdateRecord("incident", inc["sys_id"], demoApprover, map[string]string{
		"state": "8", "close_code": "No resolution provided", "close_notes": "Rejected: no business need.",
	}); err != nil {
		return u, err
	}
	if err := d.wait(ctx, func() bool { return d.tenants.UserStatus(u.id) == "DEPROVISIONED" }); err != nil {
		return u, fmt.Errorf("waiting for cardflow to deactivate %s: %w", u.login, err)
	}
	d.step("cardflow deactivated %s (status DEPROVISIONED), granted nothing, and left a work note on %s.", u.login, inc["number"])
	u.decision = "rejected"
	return u, nil
}

// newHire creates a staged user in Okta and waits for cardflow's incident.
func (d *demo) newHire(ctx context.Context, first, last, dept string) (demoUser, map[string]string, error) {
	login := strings.ToLower(first+"."+last) + "@acme.example"
	id, status, err := d.tenants.CreateUser(map[string]any{
		"firstName": first, "lastName": last, "email": login, "login": login,
		"department": dept, "manager": "per.olsen@acme.example",
	})
	if err != nil {
		return demoUser{}, nil, err
	}
	u := demoUser{name: first + " " + last, login: login, id: id}
	d.step("An admin creates %s (%s) in Okta, status %s: Okta delivers user.lifecycle.create to cardflow.", u.name, login, status)
	var inc map[string]string
	err = d.wait(ctx, func() bool {
		found := d.tenants.FindRecords("incident", "correlation_id="+u.id)
		if len(found) > 0 {
			inc = found[0]
		}
		return inc != nil
	})
	if err != nil {
		return u, nil, fmt.Errorf("waiting for the approval incident of %s: %w", login, err)
	}
	u.incident = inc["number"]
	d.step("request_approval read the profile and opened %s: %q\n   (correlation_display %q, correlation_id %s); nothing is granted yet.",
		inc["number"], inc["short_description"], inc["correlation_display"], inc["correlation_id"])
	return u, inc, nil
}

func (d *demo) waitIncident(ctx context.Context, sysID, state string) (map[string]string, error) {
	var rec map[string]string
	err := d.wait(ctx, func() bool {
		r, ok := d.tenants.Record("incident", sysID)
		if ok && r["state"] == state {
			rec = r
			return true
		}
		return false
	})
	return rec, err
}

func (d *demo) wait(ctx context.Context, cond func() bool) error {
	deadline := time.Now().Add(d.timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

func (d *demo) step(format string, args ...any) {
	fmt.Fprintf(d.out, " • "+format+"\n", args...)
}

func (d *demo) appsOf(userID string) []string {
	var apps []string
	for _, label := range demoApps {
		for _, id := range d.tenants.AppUserIDs(label) {
			if id == userID {
				apps = append(apps, label)
			}
		}
	}
	return apps
}

func (d *demo) summary(ctx context.Context, users []demoUser) {
	fmt.Fprintln(d.out, "Summary")
	tw := tabwriter.NewWriter(d.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USER\tINCIDENT\tDECISION\tOKTA STATUS\tGROUPS\tAPPS\tINCIDENT STATE")
	for _, u := range users {
		inc, _ := d.tenants.Record("incident", u.incident)
		groups := d.tenants.UserGroups(u.id)
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.login, u.incident, u.decision, d.tenants.UserStatus(u.id),
			orDash(strings.Join(groups, ", ")), orDash(strings.Join(d.appsOf(u.id), ", ")), stateLabel(inc["state"]))
	}
	tw.Flush()
	fmt.Fprintln(d.out)
	exs, _ := d.store.Executions(ctx, store.Filter{Limit: 1000})
	counts := map[string]map[store.Status]int{}
	for _, ex := range exs {
		if counts[ex.Flow] == nil {
			counts[ex.Flow] = map[store.Status]int{}
		}
		counts[ex.Flow][ex.Status]++
	}
	names := connector.SortedKeys(counts)
	tw = tabwriter.NewWriter(d.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  FLOW\tEXECUTIONS")
	for _, n := range names {
		var parts []string
		for _, s := range []store.Status{store.Succeeded, store.Halted, store.Filtered, store.Failed, store.Running, store.Pending} {
			if c := counts[n][s]; c > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", c, s))
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\n", n, strings.Join(parts, ", "))
	}
	tw.Flush()
	fmt.Fprintln(d.out)
	if d.keptDB == "" {
		fmt.Fprintln(d.out, "Every execution is journaled card by card: `cardflow history --db FILE` and `cardflow show ID --db FILE` (run the demo with --dir to keep the store).")
		return
	}
	db := shellQuote(d.keptDB)
	fmt.Fprintf(d.out, "Every execution is journaled card by card: `cardflow history --db %s` and `cardflow show ID --db %s`.\n", db, db)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func stateLabel(s string) string {
	labels := map[string]string{"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed", "8": "Canceled"}
	if l, ok := labels[s]; ok {
		return s + " " + l
	}
	return s
}

// serveLoopback serves h on a new loopback port.
func serveLoopback(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}
