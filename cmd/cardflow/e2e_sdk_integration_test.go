package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	// The SDK's test helpers: importing them keeps their dependencies
	// (testify, httpmock) in go.mod, so `go mod tidy` leaves the SDK's
	// integration tests runnable.
	_ "github.com/okta/okta-sdk-golang/v2/tests"
)

// sdkIntegrationTests are okta-sdk-golang v2.20.0's own integration tests
// (tests/integration, Apache-2.0, Copyright 2018 - Present Okta, Inc.) for
// users, groups and applications, run unchanged from the module cache
// against `cardflow emulate okta`. Left out are those on APIs the emulator
// does not serve: recovery questions, admin roles and role targets,
// subscriptions, group rules, CSRs, provisioning connections, app features
// and logos.
var sdkIntegrationTests = []string{
	// tests/integration/user_test.go
	"TestCanGetAUser", "TestCanActivateAUser", "TestCanUpdateUserProfile", "TestCanSuspendAUser",
	"TestCanChangeUsersPassword", "TestCanGetResetPasswordLinkForUser", "TestCanExpireAUsersPasswordAndGetATempOne",
	"TestCanGetUserWithCacheEnabled", "TestCanPaginateAcrossUsers",
	// tests/integration/group_test.go
	"TestCanGetAGroup", "TestCanListGroups", "TestCanSearchForAGroup", "TestCanUpdateAGroup",
	"TestGroupUserOperations", "TestGroupProfileSerialization", "TestListAssignedApplicationsForGroup",
	// tests/integration/application_test.go
	"TestCanGetApplicationByID", "TestCanUpdateApplication", "TestCanCreateABookmarkApplication",
	"TestCanCreateABasicAuthenticationApplication", "TestListApplicationAllowsCastingToCorrectType",
	"TestCanActivateApplication", "TestCanDeactivateApplication", "TestCanAddAndRemoveApplicationUsers",
	"TestCanSetApplicationSettingsDuringCreation", "TestCanSetApplicationSettingsDuringUpdate",
}

// TestE2EOktaSDKIntegrationTests runs the SDK's integration tests with
// `go test` against the emulator binary and checks that each one ran and
// passed.
func TestE2EOktaSDKIntegrationTests(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the SDK's tests with")
	}
	base, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "sdk-token")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := "^(" + strings.Join(sdkIntegrationTests, "|") + ")$"
	cmd := exec.CommandContext(ctx, goBin, "test", "-count=1", "-v", "-run", run,
		"github.com/okta/okta-sdk-golang/v2/tests/integration")
	// The SDK reads its settings from the environment; a developer's
	// ~/.okta/okta.yaml must not point the tests elsewhere, so HOME is
	// empty, and the go command keeps its caches where they are.
	goEnv, err := exec.Command(goBin, "env", "GOMODCACHE", "GOCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	dirs := strings.Split(strings.TrimSpace(string(goEnv)), "\n")
	if len(dirs) != 3 {
		t.Fatalf("go env: %q", goEnv)
	}
	cmd.Env = append(os.Environ(), "OKTA_CLIENT_ORGURL="+base, "OKTA_CLIENT_TOKEN=sdk-token",
		"OKTA_TESTING_DISABLE_HTTPS_CHECK=true", "OKTA_CLIENT_AUTHORIZATIONMODE=SSWS", "HOME="+t.TempDir(),
		"GOMODCACHE="+dirs[0], "GOCACHE="+dirs[1], "GOPATH="+dirs[2], "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the SDK's integration tests failed against the emulator: %v\n%s", err, out)
	}
	for _, name := range sdkIntegrationTests {
		if !regexp.MustCompile(`(?m)^--- PASS: ` + name + ` `).Match(out) {
			t.Errorf("%s did not pass\n%s", name, out)
		}
	}
}
