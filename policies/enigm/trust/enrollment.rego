# Enigm Trust — the enrollment policy.
#
# Decides what a pending device becomes given the evidence gathered so far. Entrypoint:
#
#   data.enigm.trust.enrollment.result
#     → {"outcome": "pending"|"trusted"|"restricted"|"denied",
#        "requirements": [string], "reasons": [string]}
#
# Trust is established only by an approval this policy accepts (DESIGN §1 Enrollment):
# a trusted device of the same account whose user was verified and whose person
# confirmed that both screens showed the same verification code, an Enigm Command
# approver of the account's organisation, a bootstrap code for the very first device, or
# a recovery code while the account is in recovery. Which approvals an additional device
# needs — a trusted device's, an approver's, either, or both — is the organisation's
# choice (`input.account.policy.enrollment_approval`, `replacement_approval` for a device
# that replaces another). A replacement is a new trust event:
# it inherits nothing from the device it replaces, so only `input.approvals` counts as
# evidence; `input.device.approval` and `input.replacement.old_state` never do.
#
# The input document is described by schemas/enrollment-input.schema.json.
# METADATA
# title: Enigm Trust enrollment policy
# description: >-
#   What a pending device becomes given the approvals gathered for it: pending, trusted,
#   restricted or denied.
# scope: package
# schemas:
#   - input: schema["enrollment-input.schema"]
package enigm.trust.enrollment

# ---------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------

account_state_reasons := {"locked": "account_locked", "disabled": "account_disabled"}

# Command roles whose "deny" stops an enrollment. Only approvers may approve.
admin_deny_roles := {"approver", "operator"}

# The organisation's approval modes (its settings `enrollment_approval` and
# `replacement_approval`): each names the sets of approvals of which any one suffices.
approval_modes := {
	"device_or_admin": [{"device"}, {"admin"}],
	"device": [{"device"}],
	"admin": [{"admin"}],
	"device_and_admin": [{"device", "admin"}],
}

# ---------------------------------------------------------------------------------------
# Account and device facts
# ---------------------------------------------------------------------------------------

account_active if input.account.state == "active"

account_state_reason := account_state_reasons[input.account.state] if {
	account_state_reasons[input.account.state]
} else := "account_not_active"

account_in_recovery if input.account.recovery.active == true

managed_org if input.account.policy.managed == true

# No device of the account was ever enrolled before this one.
first_device if input.account.devices_ever_enrolled == 0

device_pending if input.device.state == "pending"

device_associated if input.device.associated == true

# The organisation wants credentials that cannot leave the device. Enforced whenever the
# flag is set, as managed organisations set it.
device_bound_required if input.account.policy.require_device_bound_credential == true

# A backup-eligible credential is, in WebAuthn terms, a multi-device credential: it may
# be synced at any time even if it is not backed up yet. Device-bound means neither.
credential_device_bound if {
	input.device.protected.backup_eligible == false
	input.device.protected.backed_up == false
}

# As in the decision policy: only a verified failure counts, absence changes nothing.
os_integrity_failed if {
	input.signals.os_integrity.present == true
	input.signals.os_integrity.verified == true
	input.signals.os_integrity.status == "fail"
}

# ---------------------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------------------

bootstrap_codes contains a if {
	some a in input.approvals
	a.method == "bootstrap"
}

recovery_codes contains a if {
	some a in input.approvals
	a.method == "recovery"
}

device_approvals contains a if {
	some a in input.approvals
	a.method == "device"
}

admin_decisions contains a if {
	some a in input.approvals
	a.method == "admin"
}

# A bootstrap code only ever admits the first device of a new account.
bootstrap_accepted if {
	some a in bootstrap_codes
	a.valid == true
	first_device
}

# A recovery code only counts while the account is in recovery.
recovery_accepted if {
	some a in recovery_codes
	a.valid == true
	account_in_recovery
}

# An approver that may vouch for a new device: trusted (not restricted), of the same
# account, not the enrolling device itself, with no counter anomaly. A recovering account
# is not rescued by a device, so device approvals do not count during recovery.
eligible_approver(a) if {
	a.approver.state == "trusted"
	a.approver.same_account == true
	a.approver.id != input.device.id
	object.get(a.approver, "counter_anomaly", false) == false
	not account_in_recovery
}

# The person compared the verification code on both screens and confirmed they match:
# without it, an approval may be for someone else's device (a phished link or enrollment id).
code_confirmed(a) if a.code_confirmed == true

device_approval_verified if {
	some a in device_approvals
	eligible_approver(a)
	a.approver.user_verified == true
	code_confirmed(a)
}

# The right device approved, but its assertion did not verify the user.
device_approval_unverified if {
	some a in device_approvals
	eligible_approver(a)
	not a.approver.user_verified == true
}

# The right device approved, but its person did not confirm the verification code.
device_approval_unconfirmed if {
	some a in device_approvals
	eligible_approver(a)
	not code_confirmed(a)
}

admin_approved if {
	some a in admin_decisions
	a.decision == "approve"
	a.role == "approver"
	a.same_org == true
}

admin_denied if {
	some a in admin_decisions
	a.decision == "deny"
	a.role in admin_deny_roles
	a.same_org == true
}

# A recovery code in a managed organisation also needs Command review.
recovery_needs_admin if {
	recovery_accepted
	managed_org
	not admin_approved
}

# A device that replaces another follows the organisation's replacement mode; any other
# additional device its enrollment mode. Undefined (and so nothing suffices by approval)
# when the account policy names no mode.
approval_mode := input.account.policy.replacement_approval if {
	is_string(input.replacement.replaces)
} else := input.account.policy.enrollment_approval

# The kinds of approval gathered that count.
approved_by contains "device" if device_approval_verified

approved_by contains "admin" if admin_approved

# The mode accepts a kind of approval (whether or not it was given).
mode_accepts(kind) if {
	some needed in approval_modes[approval_mode]
	kind in needed
}

# Some set of approvals the mode names was given in full.
approvals_meet_mode if {
	some needed in approval_modes[approval_mode]
	count(needed - approved_by) == 0
}

# Approvals given, the mode wants more of another kind: what is still missing.
approval_missing contains kind if {
	not approvals_meet_mode
	some needed in approval_modes[approval_mode]
	count(needed & approved_by) > 0
	some kind in (needed - approved_by)
}

# ---------------------------------------------------------------------------------------
# Sufficient evidence
# ---------------------------------------------------------------------------------------

sufficient if bootstrap_accepted

sufficient if {
	recovery_accepted
	not managed_org
}

sufficient if approvals_meet_mode

# A recovery code with Command review suffices whatever the approval mode.
sufficient if {
	recovery_accepted
	admin_approved
}

grants contains "bootstrap_code_accepted" if bootstrap_accepted

grants contains "recovery_code_accepted" if recovery_accepted

grants contains "approved_by_trusted_device" if {
	device_approval_verified
	mode_accepts("device")
}

grants contains "approved_by_admin" if {
	admin_approved
	mode_accepts("admin")
}

grants contains "approved_by_admin" if {
	admin_approved
	recovery_accepted
}

# ---------------------------------------------------------------------------------------
# What stops an enrollment outright
# ---------------------------------------------------------------------------------------

blocked contains account_state_reason if not account_active

# An administrator's deny wins over any other evidence.
blocked contains "admin_denied" if admin_denied

blocked contains "device_not_pending" if not device_pending

blocked contains "device_not_associated" if not device_associated

# ---------------------------------------------------------------------------------------
# What lowers the result from trusted to restricted
# ---------------------------------------------------------------------------------------

restrictions contains "credential_not_device_bound" if {
	device_bound_required
	not credential_device_bound
}

restrictions contains "credential_backed_up" if {
	device_bound_required
	input.device.protected.backed_up == true
}

restrictions contains "os_integrity_failed" if os_integrity_failed

# ---------------------------------------------------------------------------------------
# Evidence that did not count, said plainly
# ---------------------------------------------------------------------------------------

notes contains "bootstrap_code_invalid" if {
	some a in bootstrap_codes
	not a.valid == true
}

notes contains "bootstrap_code_not_first_device" if {
	some a in bootstrap_codes
	a.valid == true
	not first_device
}

notes contains "recovery_code_invalid" if {
	some a in recovery_codes
	not a.valid == true
}

notes contains "recovery_code_not_in_recovery" if {
	some a in recovery_codes
	a.valid == true
	not account_in_recovery
}

notes contains "managed_recovery_requires_admin_approval" if recovery_needs_admin

# The organisation does not accept this kind of approval for this enrollment.
notes contains "device_approval_not_accepted" if {
	device_approval_verified
	not mode_accepts("device")
}

notes contains "admin_approval_not_accepted" if {
	admin_approved
	not mode_accepts("admin")
	not recovery_accepted
}

notes contains "approver_not_trusted" if {
	some a in device_approvals
	not a.approver.state == "trusted"
}

notes contains "approver_not_same_account" if {
	some a in device_approvals
	not a.approver.same_account == true
}

notes contains "approver_is_enrolling_device" if {
	some a in device_approvals
	a.approver.id == input.device.id
}

notes contains "approver_counter_anomaly" if {
	some a in device_approvals
	a.approver.counter_anomaly == true
}

notes contains "account_in_recovery" if {
	count(device_approvals) > 0
	account_in_recovery
}

notes contains "approver_user_verification_missing" if device_approval_unverified

notes contains "verification_code_not_confirmed" if {
	device_approval_unconfirmed
	not device_approval_verified
}

notes contains "admin_role_cannot_approve" if {
	some a in admin_decisions
	a.decision == "approve"
	not a.role == "approver"
}

notes contains "admin_not_same_org" if {
	some a in admin_decisions
	not a.same_org == true
}

# The device being replaced vouches for nothing: say so while the new one waits.
notes contains "replacement_requires_own_approval" if {
	is_string(input.replacement.replaces)
	not sufficient
}

notes contains "awaiting_approval" if not sufficient

# ---------------------------------------------------------------------------------------
# Requirements: what would move a pending enrollment forward
# ---------------------------------------------------------------------------------------

# Evidence that is nearly there: only its missing piece is asked for.
completions contains "admin_approval" if recovery_needs_admin

completions contains "approver_user_verification" if device_approval_unverified

completions contains "verification_code_confirmation" if {
	device_approval_unconfirmed
	not device_approval_verified
}

# The mode wants both approvals and one of them is in.
completions contains "admin_approval" if "admin" in approval_missing

completions contains "approval_by_trusted_device" if "device" in approval_missing

# Otherwise every way forward that applies to this account.
ways_forward contains "approval_by_trusted_device" if {
	not first_device
	not account_in_recovery
	mode_accepts("device")
}

ways_forward contains "admin_approval" if mode_accepts("admin")

ways_forward contains "bootstrap_code" if first_device

ways_forward contains "recovery_code" if account_in_recovery

# ---------------------------------------------------------------------------------------
# The outcome
# ---------------------------------------------------------------------------------------

outcome := "denied" if {
	count(blocked) > 0
} else := "restricted" if {
	sufficient
	count(restrictions) > 0
} else := "trusted" if {
	sufficient
} else := "pending"

requirements := [] if {
	outcome != "pending"
} else := sort(completions) if {
	count(completions) > 0
} else := sort(ways_forward)

reasons := sort(blocked | notes) if {
	outcome == "denied"
} else := sort(grants | restrictions) if {
	outcome == "restricted"
} else := sort(grants) if {
	outcome == "trusted"
} else := sort(grants | notes)

# METADATA
# title: Enrollment outcome
# description: '{"outcome": "pending"|"trusted"|"restricted"|"denied", "requirements": [string], "reasons": [string]}.'
# entrypoint: true
result := {
	"outcome": outcome,
	"requirements": requirements,
	"reasons": reasons,
}
