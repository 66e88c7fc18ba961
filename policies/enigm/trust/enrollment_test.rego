# Unit tests of the enrollment policy. `base` is a pending device of an active, unmanaged
# account that already has other devices, with no evidence yet; each test adds only the
# evidence or account facts it is about.
package enigm.trust.enrollment_test

import data.enigm.trust.enrollment

base := {
	"now": "2026-11-25T10:00:00Z",
	"account": {
		"id": "acc_test", "org": "default", "state": "active",
		"recovery": {"active": false, "age_seconds": null},
		"session": {"present": true, "age_seconds": 120, "user_verified": true},
		"policy": {
			"managed": false, "require_managed_compliance": false,
			"require_device_bound_credential": false,
			"max_session_age_seconds": 900, "max_unlock_age_seconds": 300,
			"enrollment_approval": "device_or_admin", "replacement_approval": "device_or_admin",
		},
		"devices_ever_enrolled": 2,
	},
	"device": {
		"id": "dev_new", "state": "pending", "associated": true,
		"approval": {"method": null, "age_seconds": null},
		"replacement": {"replaces": null, "replaced_by": null},
		"protected": {
			"attestation_format": "none", "aaguid": null, "backup_eligible": false,
			"backed_up": false, "user_verified_at_enrollment": true,
		},
		"local_unlock": {"verified": true, "age_seconds": 5, "method": "webauthn_uv"},
		"counter_anomaly": false,
		"age_seconds": 30,
	},
	"approvals": [],
	"replacement": {"replaces": null, "old_state": null},
	"signals": {
		"posture": {
			"present": false, "verified": false, "age_seconds": null, "os_name": null,
			"os_version": null, "patch_age_days": null, "screen_lock": null,
			"biometrics": null, "app_version": null,
		},
		"managed": {"present": false, "verified": false, "fresh": false, "status": null, "issuer": null, "age_seconds": null},
		"os_integrity": {"present": false, "verified": false, "fresh": false, "status": null, "issuer": null, "age_seconds": null},
	},
}

# The result for `base` with `overrides` merged in and `approvals` as the evidence.
enroll(overrides, approvals) := r if {
	doc := object.union(object.union(base, overrides), {"approvals": approvals})
	r := enrollment.result with input as doc
}

bootstrap := {"method": "bootstrap", "valid": true}

recovery := {"method": "recovery", "valid": true}

by_device := {"method": "device", "approver": {"id": "dev_old", "state": "trusted", "same_account": true, "user_verified": true}, "code_confirmed": true}

by_admin := {"method": "admin", "decision": "approve", "role": "approver", "same_org": true}

admin_deny := {"method": "admin", "decision": "deny", "role": "approver", "same_org": true}

first_device := {"account": {"devices_ever_enrolled": 0}}

in_recovery := {"account": {"recovery": {"active": true, "age_seconds": 600}}}

managed := {"account": {"policy": {"managed": true}}}

device_bound := {"account": {"policy": {"managed": true, "require_device_bound_credential": true}}}

# A device approval with `changes` made to its approver.
approver_with(changes) := object.union(by_device, {"approver": changes})

# ---------------------------------------------------------------------------------------
# Each sufficient piece of evidence
# ---------------------------------------------------------------------------------------

test_no_evidence_is_pending_with_the_ways_forward if {
	r := enroll({}, [])
	r.outcome == "pending"
	r.requirements == ["admin_approval", "approval_by_trusted_device"]
	"awaiting_approval" in r.reasons
}

test_first_device_ways_forward_include_bootstrap if {
	enroll(first_device, []).requirements == ["admin_approval", "bootstrap_code"]
}

test_recovery_ways_forward_are_recovery_code_and_admin if {
	enroll(in_recovery, []).requirements == ["admin_approval", "recovery_code"]
}

test_each_sufficient_evidence_trusts if {
	cases := [
		[first_device, bootstrap, "bootstrap_code_accepted"],
		[in_recovery, recovery, "recovery_code_accepted"],
		[{}, by_device, "approved_by_trusted_device"],
		[{}, by_admin, "approved_by_admin"],
		[managed, by_admin, "approved_by_admin"],
		[managed, by_device, "approved_by_trusted_device"],
	]
	every c in cases {
		r := enroll(c[0], [c[1]])
		r.outcome == "trusted"
		r.reasons == [c[2]]
		r.requirements == []
	}
}

# ---------------------------------------------------------------------------------------
# Bootstrap and recovery codes
# ---------------------------------------------------------------------------------------

test_bootstrap_only_for_the_first_device if {
	every n in [1, 2, 10] {
		r := enroll({"account": {"devices_ever_enrolled": n}}, [bootstrap])
		r.outcome == "pending"
		"bootstrap_code_not_first_device" in r.reasons
	}
}

test_invalid_bootstrap_is_pending if {
	r := enroll(first_device, [{"method": "bootstrap", "valid": false}])
	r.outcome == "pending"
	"bootstrap_code_invalid" in r.reasons
}

test_recovery_code_only_in_recovery if {
	r := enroll({}, [recovery])
	r.outcome == "pending"
	"recovery_code_not_in_recovery" in r.reasons
}

test_invalid_recovery_code_is_pending if {
	r := enroll(in_recovery, [{"method": "recovery", "valid": false}])
	r.outcome == "pending"
	"recovery_code_invalid" in r.reasons
}

test_managed_recovery_needs_admin_approval if {
	overrides := object.union(in_recovery, managed)
	r := enroll(overrides, [recovery])
	r.outcome == "pending"
	r.requirements == ["admin_approval"]
	"recovery_code_accepted" in r.reasons
	"managed_recovery_requires_admin_approval" in r.reasons
	r2 := enroll(overrides, [recovery, by_admin])
	r2.outcome == "trusted"
	r2.reasons == ["approved_by_admin", "recovery_code_accepted"]
}

# ---------------------------------------------------------------------------------------
# Approval by another device
# ---------------------------------------------------------------------------------------

test_device_approval_without_user_verification_is_pending if {
	r := enroll({}, [approver_with({"user_verified": false})])
	r.outcome == "pending"
	r.requirements == ["approver_user_verification"]
	"approver_user_verification_missing" in r.reasons
}

test_device_approval_without_code_confirmation_is_pending if {
	r := enroll({}, [object.union(by_device, {"code_confirmed": false})])
	r.outcome == "pending"
	r.requirements == ["verification_code_confirmation"]
	"verification_code_not_confirmed" in r.reasons
}

test_device_approval_needs_both_user_verification_and_code_confirmation if {
	r := enroll({}, [object.union(approver_with({"user_verified": false}), {"code_confirmed": false})])
	r.outcome == "pending"
	r.requirements == ["approver_user_verification", "verification_code_confirmation"]
}

test_confirmed_approval_counts_after_an_unconfirmed_one if {
	r := enroll({}, [object.union(by_device, {"code_confirmed": false}), by_device])
	r.outcome == "trusted"
	r.reasons == ["approved_by_trusted_device"]
}

test_approvers_that_do_not_count if {
	cases := [
		[{"state": "restricted"}, "approver_not_trusted"],
		[{"state": "revoked"}, "approver_not_trusted"],
		[{"state": "pending"}, "approver_not_trusted"],
		[{"same_account": false}, "approver_not_same_account"],
		[{"id": "dev_new"}, "approver_is_enrolling_device"],
		[{"counter_anomaly": true}, "approver_counter_anomaly"],
	]
	every c in cases {
		r := enroll({}, [approver_with(c[0])])
		r.outcome == "pending"
		c[1] in r.reasons
		r.requirements == ["admin_approval", "approval_by_trusted_device"]
	}
}

test_device_approval_does_not_rescue_a_recovering_account if {
	r := enroll(in_recovery, [by_device])
	r.outcome == "pending"
	"account_in_recovery" in r.reasons
}

# ---------------------------------------------------------------------------------------
# Administrators
# ---------------------------------------------------------------------------------------

test_admin_deny_wins_over_any_evidence if {
	every evidence in [[], [by_device], [by_admin], [bootstrap], [recovery]] {
		r := enroll(object.union(first_device, in_recovery), array.concat(evidence, [admin_deny]))
		r.outcome == "denied"
		"admin_denied" in r.reasons
		r.requirements == []
	}
}

test_operator_deny_also_wins if {
	enroll({}, [by_device, object.union(admin_deny, {"role": "operator"})]).outcome == "denied"
}

test_admin_approvals_that_do_not_count if {
	cases := [
		[{"role": "operator"}, "admin_role_cannot_approve"],
		[{"role": "viewer"}, "admin_role_cannot_approve"],
		[{"same_org": false}, "admin_not_same_org"],
	]
	every c in cases {
		r := enroll({}, [object.union(by_admin, c[0])])
		r.outcome == "pending"
		c[1] in r.reasons
	}
}

test_deny_from_another_org_is_ignored if {
	enroll({}, [by_device, object.union(admin_deny, {"same_org": false})]).outcome == "trusted"
}

# ---------------------------------------------------------------------------------------
# Account state
# ---------------------------------------------------------------------------------------

test_locked_or_disabled_account_is_denied_whatever_the_evidence if {
	every state, reason in {"locked": "account_locked", "disabled": "account_disabled", "frozen": "account_not_active"} {
		every evidence in [[], [by_device], [by_admin], [bootstrap]] {
			r := enroll(object.union(first_device, {"account": {"state": state}}), evidence)
			r.outcome == "denied"
			reason in r.reasons
		}
	}
}

test_device_not_pending_is_denied if {
	every state in ["trusted", "restricted", "revoked", "replaced", "retired"] {
		r := enroll({"device": {"state": state}}, [by_device])
		r.outcome == "denied"
		"device_not_pending" in r.reasons
	}
}

test_unassociated_device_is_denied if {
	r := enroll({"device": {"associated": false}}, [by_device])
	r.outcome == "denied"
	"device_not_associated" in r.reasons
}

# ---------------------------------------------------------------------------------------
# Credential and signals
# ---------------------------------------------------------------------------------------

test_synced_passkey_is_restricted_where_device_bound_is_required if {
	every protected in [{"backup_eligible": true, "backed_up": true}, {"backup_eligible": true, "backed_up": false}] {
		r := enroll(object.union(device_bound, {"device": {"protected": protected}}), [by_device])
		r.outcome == "restricted"
		"credential_not_device_bound" in r.reasons
		"approved_by_trusted_device" in r.reasons
	}
	"credential_backed_up" in enroll(object.union(device_bound, {"device": {"protected": {"backup_eligible": true, "backed_up": true}}}), [by_admin]).reasons
}

test_device_bound_credential_is_trusted_where_required if {
	enroll(device_bound, [by_device]).outcome == "trusted"
}

test_synced_passkey_is_trusted_where_not_required if {
	enroll({"device": {"protected": {"backup_eligible": true, "backed_up": true}}}, [by_device]).outcome == "trusted"
}

test_restriction_never_turns_pending_into_restricted if {
	enroll(object.union(device_bound, {"device": {"protected": {"backed_up": true}}}), []).outcome == "pending"
}

test_verified_integrity_failure_enrolls_restricted if {
	failed := {"signals": {"os_integrity": {"present": true, "verified": true, "fresh": true, "status": "fail"}}}
	r := enroll(failed, [by_device])
	r.outcome == "restricted"
	"os_integrity_failed" in r.reasons
}

test_absent_or_unverified_integrity_changes_nothing if {
	every integrity in [{}, {"present": true, "verified": false, "fresh": false, "status": "fail"}] {
		enroll({"signals": {"os_integrity": integrity}}, [by_device]).outcome == "trusted"
	}
}

test_posture_is_not_evidence if {
	posture := {"present": true, "verified": true, "age_seconds": 1, "os_name": "ios", "os_version": "26.1", "patch_age_days": 1, "screen_lock": true, "biometrics": true, "app_version": "1.0.0"}
	enroll({"signals": {"posture": posture}}, []).outcome == "pending"
}

# ---------------------------------------------------------------------------------------
# Replacement
# ---------------------------------------------------------------------------------------

replacing := {"replacement": {"replaces": "dev_old", "old_state": "trusted"}, "device": {"replacement": {"replaces": "dev_old"}}}

test_replacement_inherits_nothing if {
	# The old device's trust and an approval record copied onto the new one count for nothing.
	r := enroll(object.union(replacing, {"device": {"approval": {"method": "device", "age_seconds": 10}}}), [])
	r.outcome == "pending"
	"replacement_requires_own_approval" in r.reasons
}

test_replacement_with_its_own_approval_is_trusted if {
	r := enroll(replacing, [by_device])
	r.outcome == "trusted"
	not "replacement_requires_own_approval" in r.reasons
}

test_lost_device_replacement_through_recovery if {
	lost := object.union(object.union(replacing, in_recovery), {"replacement": {"old_state": "revoked"}})
	enroll(lost, [recovery]).outcome == "trusted"
	r := enroll(object.union(lost, managed), [recovery])
	r.outcome == "pending"
	r.requirements == ["admin_approval"]
}

# ---------------------------------------------------------------------------------------
# The organisation's approval modes
# ---------------------------------------------------------------------------------------

# The account policy with enrollment mode `e` and replacement mode `r`.
modes(e, r) := {"account": {"policy": {"enrollment_approval": e, "replacement_approval": r}}}

test_either_approval_suffices_by_default if {
	enroll(modes("device_or_admin", "device_or_admin"), [by_device]).outcome == "trusted"
	enroll(modes("device_or_admin", "device_or_admin"), [by_admin]).outcome == "trusted"
}

test_device_mode_does_not_accept_an_administrator if {
	r := enroll(modes("device", "device_or_admin"), [by_admin])
	r.outcome == "pending"
	"admin_approval_not_accepted" in r.reasons
	r.requirements == ["approval_by_trusted_device"]
	enroll(modes("device", "device_or_admin"), [by_device]).outcome == "trusted"
}

test_admin_mode_does_not_accept_a_device if {
	r := enroll(modes("admin", "device_or_admin"), [by_device])
	r.outcome == "pending"
	"device_approval_not_accepted" in r.reasons
	r.requirements == ["admin_approval"]
	enroll(modes("admin", "device_or_admin"), [by_admin]).outcome == "trusted"
}

test_both_mode_needs_both_and_asks_for_the_missing_one if {
	both := modes("device_and_admin", "device_or_admin")
	after_device := enroll(both, [by_device])
	after_device.outcome == "pending"
	after_device.requirements == ["admin_approval"]
	"approved_by_trusted_device" in after_device.reasons
	after_admin := enroll(both, [by_admin])
	after_admin.outcome == "pending"
	after_admin.requirements == ["approval_by_trusted_device"]
	r := enroll(both, [by_device, by_admin])
	r.outcome == "trusted"
	r.reasons == ["approved_by_admin", "approved_by_trusted_device"]
}

test_no_evidence_lists_only_the_ways_the_mode_accepts if {
	enroll(modes("device", "device_or_admin"), []).requirements == ["approval_by_trusted_device"]
	enroll(modes("admin", "device_or_admin"), []).requirements == ["admin_approval"]
	enroll(modes("device_and_admin", "device_or_admin"), []).requirements == ["admin_approval", "approval_by_trusted_device"]
}

test_a_replacement_follows_the_replacement_mode if {
	strict := object.union(replacing, modes("device_or_admin", "admin"))
	r := enroll(strict, [by_device])
	r.outcome == "pending"
	r.requirements == ["admin_approval"]
	enroll(strict, [by_admin]).outcome == "trusted"

	# And an ordinary enrollment of the same account follows the enrollment mode.
	enroll(modes("device_or_admin", "admin"), [by_device]).outcome == "trusted"
}

test_codes_are_not_approvals_and_modes_leave_them_alone if {
	enroll(object.union(first_device, modes("admin", "admin")), [bootstrap]).outcome == "trusted"
	enroll(object.union(in_recovery, modes("device", "device")), [recovery]).outcome == "trusted"

	# A managed recovery's Command review counts whatever the mode.
	enroll(object.union(object.union(in_recovery, managed), modes("device", "device")), [recovery, by_admin]).outcome == "trusted"
}

test_no_mode_means_no_approval_suffices if {
	r := enrollment.result with input as json.remove(object.union(base, {"approvals": [by_device, by_admin]}), ["account/policy/enrollment_approval"])
	r.outcome == "pending"
	enroll(modes("anything", "device_or_admin"), [by_device, by_admin]).outcome == "pending"
}

test_missing_input_is_denied if {
	r := enrollment.result with input as {}
	r.outcome == "denied"
}
