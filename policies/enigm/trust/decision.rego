# Enigm Trust — the decision policy.
#
# Answers one question for messaging, calls, sync and key distribution: may this device,
# of this account, do this action now? Entrypoint:
#
#   data.enigm.trust.decision.result
#     → {"allow": bool, "reasons": [string], "obligations": [string]}
#
# Stance (DESIGN §3): deny unless every condition holds. Each condition below is written
# as a positive rule ("session_fresh") and every failed one adds a stable snake_case reason
# to `deny`; `allow` additionally re-checks the positive conditions, so a missing input
# field can only ever deny. Account trust and device trust are checked separately: one
# never rescues the other.
#
# The input document is described by schemas/policy-input.schema.json; the service builds
# it from its own records and validates it before evaluation.
# METADATA
# title: Enigm Trust decision policy
# description: >-
#   May this device, of this account, do this action now? Deny unless every condition holds.
# scope: package
# schemas:
#   - input: schema["policy-input.schema"]
package enigm.trust.decision

# ---------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------

# Live traffic: what a restricted device still receives and sends.
live_actions := {"message.receive", "message.send", "sync.live", "call.join"}

# Actions that hand out long-lived secrets or extend trust to another device: they need a
# fresh session, a recent verified local unlock, a clean counter and an account that is
# not in recovery.
high_risk_actions := {"keys.access", "sync.history", "device.approve_enrollment"}

# Account housekeeping a device may do for its own account (list resources, revoke a
# device of the account, itself included).
account_actions := {"account.resources", "device.revoke"}

known_actions := (live_actions | high_risk_actions) | account_actions

# Lifecycle states that may receive protected content at all (DESIGN §1 lifecycle table).
content_eligible_states := {"trusted", "restricted"}

# What a restricted device keeps: live traffic and account housekeeping, never history,
# keys or approving other devices.
restricted_actions := live_actions | account_actions

# What a managed organisation's compliance requirement guards: the actions that put
# stored secrets or history on the device.
compliance_actions := {"keys.access", "sync.history"}

# What an account in recovery may not do: a trusted device never rescues a recovering account.
recovery_blocked_actions := high_risk_actions

# Ways a device can have been approved (the enrollment policy decided; here we only check
# that a content-eligible device carries a record of one).
approval_methods := {"device", "admin", "bootstrap", "recovery"}

account_state_reasons := {"locked": "account_locked", "disabled": "account_disabled"}

device_state_reasons := {
	"pending": "device_pending",
	"revoked": "device_revoked",
	"replaced": "device_replaced",
	"retired": "device_retired",
}

# Why a restricted device is refused each high-risk action.
restricted_denial_reasons := {
	"sync.history": "history_sync_not_allowed_when_restricted",
	"keys.access": "key_access_not_allowed_when_restricted",
	"device.approve_enrollment": "enrollment_approval_not_allowed_when_restricted",
}

# ---------------------------------------------------------------------------------------
# Account trust
# ---------------------------------------------------------------------------------------

account_active if input.account.state == "active"

# Any state other than active (or a missing one) blocks everything.
account_state_reason := account_state_reasons[input.account.state] if {
	account_state_reasons[input.account.state]
} else := "account_not_active"

# Written positively so that a missing recovery record counts as "in recovery".
account_not_in_recovery if input.account.recovery.active == false

# A session is fresh when it exists and is younger than the account policy allows. Ages
# are checked to be numbers: in Rego null sorts before every number, so `null <= 900`
# would otherwise hold.
session_fresh if {
	input.account.session.present == true
	is_number(input.account.session.age_seconds)
	input.account.session.age_seconds <= input.account.policy.max_session_age_seconds
}

session_user_verified if input.account.session.user_verified == true

# The organisation wants a verified, fresh "compliant" managed-device statement before
# secrets or history reach a device. Enforced whenever the flag is set (managed orgs set
# it; an unmanaged org setting it gets the stricter answer, not a silent pass).
compliance_required if input.account.policy.require_managed_compliance == true

# ---------------------------------------------------------------------------------------
# Device trust
# ---------------------------------------------------------------------------------------

device_associated if input.device.associated == true

device_approved if input.device.approval.method in approval_methods

# A device whose replacement completed is finished, whatever its state field says.
device_superseded if is_string(input.device.replacement.replaced_by)

counter_clean if input.device.counter_anomaly == false

# A recent unlock the service verified (user verification in a WebAuthn assertion).
# Self-reported posture never counts: it arrives with verified = false.
local_unlock_recent if {
	input.device.local_unlock.verified == true
	is_number(input.device.local_unlock.age_seconds)
	input.device.local_unlock.age_seconds <= input.account.policy.max_unlock_age_seconds
}

# Only a verified OS-integrity "fail" lowers trust. An absent signal (no Enigm OS) or an
# unverified one changes nothing: Enigm OS is optional, and an unverified statement is
# not evidence either way.
os_integrity_failed if {
	input.signals.os_integrity.present == true
	input.signals.os_integrity.verified == true
	input.signals.os_integrity.status == "fail"
}

# The trust tier the device acts with: its lifecycle state, lowered to restricted by a
# verified integrity failure. Undefined for states that never receive content.
device_tier := "restricted" if {
	input.device.state in content_eligible_states
	os_integrity_failed
} else := input.device.state if {
	input.device.state in content_eligible_states
}

device_state_reason := device_state_reasons[input.device.state] if {
	device_state_reasons[input.device.state]
} else := "device_state_unknown"

# Managed-device evidence: present, verified, fresh and compliant. Posture can never
# stand in for it.
managed_compliant if {
	input.signals.managed.present == true
	input.signals.managed.verified == true
	input.signals.managed.fresh == true
	input.signals.managed.status == "compliant"
}

# The first thing wrong with the managed statement, for the caller's benefit.
managed_statement_problem := "managed_statement_missing" if {
	not input.signals.managed.present == true
} else := "managed_statement_unverified" if {
	not input.signals.managed.verified == true
} else := "managed_statement_stale" if {
	not input.signals.managed.fresh == true
} else := "managed_device_noncompliant"

# ---------------------------------------------------------------------------------------
# The action
# ---------------------------------------------------------------------------------------

known_action if input.action in known_actions

high_risk if input.action in high_risk_actions

action_permitted_for_tier if {
	device_tier == "trusted"
	known_action
}

action_permitted_for_tier if {
	device_tier == "restricted"
	input.action in restricted_actions
}

# ---------------------------------------------------------------------------------------
# Reasons to deny: every failed condition adds one
# ---------------------------------------------------------------------------------------

deny contains "unknown_action" if not known_action

deny contains account_state_reason if not account_active

deny contains "account_in_recovery" if {
	input.action in recovery_blocked_actions
	not account_not_in_recovery
}

deny contains device_state_reason if not input.device.state in content_eligible_states

deny contains "device_replaced" if device_superseded

deny contains "device_not_associated" if not device_associated

deny contains "device_approval_missing" if {
	input.device.state in content_eligible_states
	not device_approved
}

deny contains reason if {
	device_tier == "restricted"
	known_action
	not input.action in restricted_actions
	reason := restricted_denial_reasons[input.action]
}

# Say why a trusted device is being treated as restricted.
deny contains "os_integrity_failed" if {
	os_integrity_failed
	device_tier == "restricted"
	known_action
	not input.action in restricted_actions
}

deny contains "session_not_fresh" if {
	high_risk
	not session_fresh
}

deny contains "session_not_user_verified" if {
	high_risk
	not session_user_verified
}

deny contains "local_unlock_not_recent" if {
	high_risk
	not local_unlock_recent
}

# A signature counter that went backwards may mean a cloned authenticator: nothing
# long-lived, and no approving other devices, until someone looks at it.
deny contains "counter_anomaly" if {
	high_risk
	not counter_clean
}

deny contains "managed_compliance_required" if {
	compliance_required
	input.action in compliance_actions
	not managed_compliant
}

deny contains managed_statement_problem if {
	compliance_required
	input.action in compliance_actions
	not managed_compliant
}

# ---------------------------------------------------------------------------------------
# The decision
# ---------------------------------------------------------------------------------------

# Deny by default: allow only when the positive conditions hold and nothing objected.
default allow := false

allow if {
	known_action
	account_active
	device_associated
	device_approved
	not device_superseded
	action_permitted_for_tier
	count(deny) == 0
}

# When allowed, the reasons say on what footing.
allow_reasons contains "device_trusted" if device_tier == "trusted"

allow_reasons contains "device_restricted" if device_tier == "restricted"

allow_reasons contains "os_integrity_failed" if {
	device_tier == "restricted"
	os_integrity_failed
}

# ---------------------------------------------------------------------------------------
# Obligations: what the caller should do alongside the answer
# ---------------------------------------------------------------------------------------

# Remediation hints only make sense when the device could get the action at all.
remediable if {
	account_active
	device_associated
	action_permitted_for_tier
}

obligations contains "require_reauthentication" if {
	remediable
	high_risk
	not session_fresh
}

obligations contains "require_reauthentication" if {
	remediable
	high_risk
	not session_user_verified
}

obligations contains "require_local_unlock" if {
	remediable
	high_risk
	not local_unlock_recent
}

obligations contains "refresh_managed_status" if {
	remediable
	compliance_required
	input.action in compliance_actions
	not managed_compliant
}

# Posture is self-reported: it never raises trust, but a device saying it has no screen
# lock is worth a prompt.
obligations contains "prompt_screen_lock" if {
	device_tier
	input.signals.posture.present == true
	input.signals.posture.screen_lock == false
}

reasons := sort(allow_reasons) if {
	allow
} else := sort(deny) if {
	count(deny) > 0
} else := ["policy_conditions_not_met"]

# METADATA
# title: Decision
# description: '{"allow": bool, "reasons": [string], "obligations": [string]} for input.action.'
# entrypoint: true
result := {
	"allow": allow,
	"reasons": reasons,
	"obligations": sort(obligations),
}
