package eventtypes

import "slices"

// eligible are event-hook-eligible types of the Okta event catalog
// (developer.okta.com event types, tag event-hook-eligible): every type the
// emulator writes and the common lifecycle, membership and admin events.
// The catalog has hundreds more.
var eligible = []string{
	"user.lifecycle.create", "user.lifecycle.activate", "user.lifecycle.deactivate",
	"user.lifecycle.reactivate", "user.lifecycle.suspend", "user.lifecycle.unsuspend",
	"user.lifecycle.delete.initiated", "user.lifecycle.delete.completed",
	"user.account.update_profile", "user.account.lock", "user.account.unlock", "user.account.unlock_by_admin",
	"user.account.update_password", "user.account.reset_password", "user.account.expire_password",
	"user.account.privilege.grant", "user.account.privilege.revoke",
	"user.session.start", "user.session.end", "user.session.clear",
	"user.authentication.sso", "user.mfa.factor.activate", "user.mfa.factor.deactivate",
	"user.mfa.factor.reset_all", "user.mfa.factor.suspend", "user.mfa.factor.unsuspend",
	"group.user_membership.add", "group.user_membership.remove",
	"group.lifecycle.create", "group.lifecycle.delete", "group.profile.update",
	"group.privilege.grant", "group.privilege.revoke",
	"group.application_assignment.add", "group.application_assignment.remove",
	"application.user_membership.add", "application.user_membership.remove",
	"application.user_membership.change_username",
	"application.lifecycle.create", "application.lifecycle.activate",
	"application.lifecycle.deactivate", "application.lifecycle.delete", "application.lifecycle.update",
	"policy.lifecycle.create", "policy.lifecycle.update", "policy.lifecycle.delete",
	"policy.lifecycle.activate", "policy.lifecycle.deactivate",
	"system.org.rate_limit.warning", "system.org.rate_limit.violation",
	"system.api_token.create", "system.api_token.revoke",
	// Okta Workflows has event cards for these (Access Certification
	// Decision Submitted, Suspicious Activity Reported).
	"certification.campaign.item.decide", "user.account.report_suspicious_activity_by_enduser",
}

// ineligible are known types that Okta never delivers to event hooks.
var ineligible = []string{"event_hook.delivery"}

// HookEligible reports whether t is in the table of event types an event
// hook can subscribe to.
func HookEligible(t string) bool { return slices.Contains(eligible, t) }

// HookIneligible reports whether t is a known event type that event hooks
// cannot subscribe to (poll it from the System Log instead).
func HookIneligible(t string) bool { return slices.Contains(ineligible, t) }

// Eligible returns the event-hook-eligible types of the table, for
// did-you-mean suggestions.
func Eligible() []string { return slices.Clone(eligible) }
