package emulator

import (
	"maps"
	"net/http"
	"strings"
)

// appTemplate is what Okta fills in for an app of a catalog template: the
// label when the request has none, the sign-on mode, the settings.app
// attributes the template requires, and its credentials block.
type appTemplate struct {
	label, signOnMode string
	requiredApp       []string
	credentials       map[string]any
}

func userNameTemplate() map[string]any {
	return map[string]any{"template": "${source.login}", "type": "BUILT_IN"}
}

// appTemplates are the catalog templates okta-sdk-golang creates (its
// BookmarkApplication and BasicAuthApplication models and integration
// tests). Other names keep what the request says.
var appTemplates = map[string]appTemplate{
	"bookmark": {label: "Bookmark App", signOnMode: "BOOKMARK", requiredApp: []string{"url"},
		credentials: map[string]any{"userNameTemplate": userNameTemplate(), "signing": map[string]any{}}},
	"template_basic_auth": {label: "Template Basic Auth App", signOnMode: "BASIC_AUTH", requiredApp: []string{"url", "authURL"},
		credentials: map[string]any{"scheme": "EDIT_USERNAME_AND_PASSWORD", "userNameTemplate": userNameTemplate(),
			"revealPassword": false, "signing": map[string]any{}}},
}

// defaultSettings is the settings block Okta returns for an app whose
// request sets only settings.app.
func defaultSettings() map[string]any {
	return map[string]any{
		"app":                map[string]any{},
		"implicitAssignment": false,
		"manualProvisioning": false,
		"notes":              map[string]any{"admin": nil, "enduser": nil},
		"notifications": map[string]any{"vpn": map[string]any{
			"network": map[string]any{"connection": "DISABLED"}, "message": nil, "helpUrl": nil}},
	}
}

// appBlocks returns the settings and credentials an app stores for body b:
// Okta's defaults under what b sets, over the app's current blocks (prev,
// nil on create). It refuses a template app without its required URLs.
func appBlocks(b appBody, prev *appRec) (settings, credentials map[string]any, ae *apiError) {
	tmpl := appTemplates[b.Name]
	settings, credentials = defaultSettings(), deepClone(tmpl.credentials)
	if credentials == nil {
		credentials = map[string]any{"userNameTemplate": userNameTemplate(), "signing": map[string]any{}}
	}
	if b.Name == "bookmark" {
		settings["app"] = map[string]any{"requestIntegration": false}
	}
	if prev != nil {
		settings, credentials = deepClone(prev.settings), deepClone(prev.credentials)
	}
	mergeInto(settings, b.Settings)
	mergeInto(credentials, b.Credentials)
	// A password sent in credentials is write-only, as in Okta.
	if pw, ok := credentials["password"].(map[string]any); ok {
		delete(pw, "value")
	}
	app, _ := settings["app"].(map[string]any)
	for _, f := range tmpl.requiredApp {
		if s, _ := app[f].(string); strings.TrimSpace(s) == "" {
			return nil, nil, validation("settings.app."+f, "The field cannot be left blank")
		}
	}
	return settings, credentials, nil
}

// mergeInto copies src over dst, object by object; a null removes a key.
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		switch v := v.(type) {
		case nil:
			delete(dst, k)
		case map[string]any:
			d, ok := dst[k].(map[string]any)
			if !ok {
				d = map[string]any{}
				dst[k] = d
			}
			mergeInto(d, v)
		default:
			dst[k] = v
		}
	}
}

func deepClone(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := maps.Clone(m)
	for k, v := range out {
		if sub, ok := v.(map[string]any); ok {
			out[k] = deepClone(sub)
		}
	}
	return out
}

// handleUpdateApp serves PUT /api/v1/apps/{aid}: the label, settings and
// credentials of the body replace the app's; name and sign-on mode stay.
func (e *Emulator) handleUpdateApp(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b appBody
	if ae := decodeBody(r, &b); ae != nil {
		e.writeError(w, ae)
		return
	}
	e.mu.Lock()
	out, ae := e.updateAppLocked(c, r.PathValue("aid"), b)
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) updateAppLocked(c *callCtx, id string, b appBody) (App, *apiError) {
	a, ae := e.appLocked(id)
	if ae != nil {
		return App{}, ae
	}
	if b.Name != "" && b.Name != a.name {
		return App{}, validation("name", "The name of an app cannot be changed")
	}
	b.Name = a.name
	settings, credentials, ae := appBlocks(b, a)
	if ae != nil {
		return App{}, ae
	}
	if b.Label != "" {
		a.label = b.Label
	}
	a.settings, a.credentials, a.lastUpdated = settings, credentials, e.stamp()
	e.emitLocked(c, "application.lifecycle.update", a.target())
	return a.export(c.base), nil
}
