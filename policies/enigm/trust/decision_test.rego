# Unit tests of the decision policy. Each test starts from `base`, a trusted device of an
# active account with a fresh verified session and a recent verified unlock, and changes
# only what the test is about (object.union merges recursively).
package enigm.trust.decision_test

import data.enigm.trust.decision

base := {
	"action": "message.receive",
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
	},
	"device": {
		"id": "dev_test", "state": "trusted", "associated": true,
		"approval": {"method": "device", "age_seconds": 3600},
		"replacement": {"replaces": null, "replaced_by": null},
		"protected": {
			"attestation_format": "none", "aaguid": null, "backup_eligible": true,
			"backed_up": false, "user_verified_at_enrollment": true,
		},
		"local_unlock": {"verified": true, "age_seconds": 60, "method": "webauthn_uv"},
		"counter_anomaly": false,
		"age_seconds": 86400,
	},
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

# The decision for `base` with `overrides` merged in.
decide(overrides) := r if {
	r := decision.result with input as object.union(base, overrides)
}

# The decision for one action with `overrides`.
decide_action(action, overrides) := decide(object.union(overrides, {"action": action}))

all_actions := decision.known_actions

all_states := {"pending", "trusted", "restricted", "revoked", "replaced", "retired"}

live := decision.live_actions

high_risk := decision.high_risk_actions

# Which actions each lifecycle state gets when every other condition holds.
allowed_in_state := {
	"trusted": all_actions,
	"restricted": (live | {"account.resources", "device.revoke"}),
	"pending": set(),
	"revoked": set(),
	"replaced": set(),
	"retired": set(),
}

# The decision for `action` under `overrides` is allowed exactly when `action` is in `expected`.
# Written positively so that an undefined decision counts as a mismatch, not a pass.
agrees(action, overrides, expected) if {
	should_allow := action in expected
	decide_action(action, overrides).allow == should_allow
}

# Actions whose answer differs from `expected` (the allowed set) under `overrides`.
mismatches(overrides, expected) := {action |
	some action in all_actions
	not agrees(action, overrides, expected)
}

# ---------------------------------------------------------------------------------------
# Lifecycle states × actions
# ---------------------------------------------------------------------------------------

test_every_action_in_every_state if {
	wrong := {[state, action] |
		some state in all_states
		some action in all_actions
		not agrees(action, {"device": {"state": state}}, allowed_in_state[state])
	}
	count(wrong) == 0
}

test_states_that_never_receive_give_their_reason_for_every_action if {
	expected := {"pending": "device_pending", "revoked": "device_revoked", "replaced": "device_replaced", "retired": "device_retired"}
	every state, reason in expected {
		every action in all_actions {
			reason in decide_action(action, {"device": {"state": state}}).reasons
		}
	}
}

test_unknown_device_state_denies if {
	r := decide({"device": {"state": "suspended"}})
	r.allow == false
	"device_state_unknown" in r.reasons
}

test_trusted_allowed_says_device_trusted if {
	r := decide({})
	r.allow == true
	r.reasons == ["device_trusted"]
	r.obligations == []
}

test_restricted_live_allowed_says_device_restricted if {
	every action in live {
		decide_action(action, {"device": {"state": "restricted"}}).reasons == ["device_restricted"]
	}
}

test_restricted_gets_no_history_keys_or_approvals if {
	r1 := decide_action("sync.history", {"device": {"state": "restricted"}})
	r1.allow == false
	"history_sync_not_allowed_when_restricted" in r1.reasons
	r2 := decide_action("keys.access", {"device": {"state": "restricted"}})
	"key_access_not_allowed_when_restricted" in r2.reasons
	r3 := decide_action("device.approve_enrollment", {"device": {"state": "restricted"}})
	"enrollment_approval_not_allowed_when_restricted" in r3.reasons
}

test_restricted_denial_gives_no_remediation_obligations if {
	decide_action("keys.access", {"device": {"state": "restricted"}, "account": {"session": {"present": false}}}).obligations == []
}

# ---------------------------------------------------------------------------------------
# Device identity and lifecycle records
# ---------------------------------------------------------------------------------------

test_unassociated_device_denied_everything if {
	count(mismatches({"device": {"associated": false}}, set())) == 0
	"device_not_associated" in decide({"device": {"associated": false}}).reasons
}

test_device_without_approval_record_denied_everything if {
	count(mismatches({"device": {"approval": {"method": null}}}, set())) == 0
	"device_approval_missing" in decide({"device": {"approval": {"method": null}}}).reasons
}

test_device_with_completed_replacement_denied_whatever_its_state if {
	overrides := {"device": {"replacement": {"replaced_by": "dev_new"}}}
	count(mismatches(overrides, set())) == 0
	"device_replaced" in decide(overrides).reasons
}

test_replacement_device_is_judged_on_its_own_state if {
	# A pending replacement of a trusted device gets nothing...
	pending := {"device": {"state": "pending", "approval": {"method": null}, "replacement": {"replaces": "dev_old"}}}
	count(mismatches(pending, set())) == 0

	# ...and once approved it is an ordinary trusted device.
	approved := {"device": {"replacement": {"replaces": "dev_old"}}}
	count(mismatches(approved, all_actions)) == 0
}

# ---------------------------------------------------------------------------------------
# Account trust
# ---------------------------------------------------------------------------------------

test_locked_or_disabled_account_denies_everything if {
	every state, reason in {"locked": "account_locked", "disabled": "account_disabled"} {
		count(mismatches({"account": {"state": state}}, set())) == 0
		every action in all_actions {
			reason in decide_action(action, {"account": {"state": state}}).reasons
		}
	}
}

test_unknown_account_state_denies if {
	"account_not_active" in decide({"account": {"state": "frozen"}}).reasons
	count(mismatches({"account": {"state": "frozen"}}, set())) == 0
}

test_account_in_recovery_blocks_high_risk_only if {
	overrides := {"account": {"recovery": {"active": true, "age_seconds": 600}}}
	count(mismatches(overrides, all_actions - high_risk)) == 0
	every action in high_risk {
		"account_in_recovery" in decide_action(action, overrides).reasons
	}
}

test_device_revoke_allowed_in_recovery if {
	decide_action("device.revoke", {"account": {"recovery": {"active": true}}}).allow == true
}

# ---------------------------------------------------------------------------------------
# Session and local unlock
# ---------------------------------------------------------------------------------------

stale_sessions := [
	{"account": {"session": {"age_seconds": 901}}},
	{"account": {"session": {"present": false, "age_seconds": null}}},
	{"account": {"session": {"age_seconds": null}}},
]

test_stale_or_absent_session_blocks_high_risk_only if {
	every overrides in stale_sessions {
		count(mismatches(overrides, all_actions - high_risk)) == 0
		every action in high_risk {
			r := decide_action(action, overrides)
			"session_not_fresh" in r.reasons
			"require_reauthentication" in r.obligations
		}
	}
}

test_session_at_the_limit_is_fresh if {
	decide_action("keys.access", {"account": {"session": {"age_seconds": 900}}}).allow == true
}

test_session_policy_limit_comes_from_the_account if {
	overrides := {"account": {"session": {"age_seconds": 120}, "policy": {"max_session_age_seconds": 60}}}
	decide_action("keys.access", overrides).allow == false
}

test_session_without_user_verification_blocks_high_risk if {
	overrides := {"account": {"session": {"user_verified": false}}}
	count(mismatches(overrides, all_actions - high_risk)) == 0
	r := decide_action("keys.access", overrides)
	"session_not_user_verified" in r.reasons
	"require_reauthentication" in r.obligations
}

no_recent_unlock := [
	{"device": {"local_unlock": {"verified": false}}},
	{"device": {"local_unlock": {"age_seconds": 301}}},
	{"device": {"local_unlock": {"age_seconds": null}}},
	{"device": {"local_unlock": {"verified": false, "method": "posture"}}},
]

test_no_recent_verified_unlock_blocks_high_risk_only if {
	every overrides in no_recent_unlock {
		count(mismatches(overrides, all_actions - high_risk)) == 0
		every action in high_risk {
			r := decide_action(action, overrides)
			"local_unlock_not_recent" in r.reasons
			"require_local_unlock" in r.obligations
		}
	}
}

# ---------------------------------------------------------------------------------------
# Counter anomaly
# ---------------------------------------------------------------------------------------

test_counter_anomaly_blocks_high_risk_only if {
	overrides := {"device": {"counter_anomaly": true}}
	count(mismatches(overrides, all_actions - high_risk)) == 0
	every action in high_risk {
		"counter_anomaly" in decide_action(action, overrides).reasons
	}
}

# ---------------------------------------------------------------------------------------
# Managed organisations
# ---------------------------------------------------------------------------------------

managed_org := {"account": {"policy": {"managed": true, "require_managed_compliance": true}}}

compliant := {"present": true, "verified": true, "fresh": true, "status": "compliant", "issuer": "mdm", "age_seconds": 60}

# Each way a managed statement can fall short, with the reason that names it.
managed_problems := [
	[{"present": false, "verified": false, "fresh": false, "status": null}, "managed_statement_missing"],
	[{"verified": false}, "managed_statement_unverified"],
	[{"fresh": false, "age_seconds": 90000}, "managed_statement_stale"],
	[{"status": "noncompliant"}, "managed_device_noncompliant"],
	[{"status": "unknown"}, "managed_device_noncompliant"],
	[{"status": null}, "managed_device_noncompliant"],
]

test_managed_compliance_required_for_keys_and_history if {
	every problem in managed_problems {
		overrides := object.union(managed_org, {"signals": {"managed": object.union(compliant, problem[0])}})
		count(mismatches(overrides, all_actions - {"keys.access", "sync.history"})) == 0
		every action in {"keys.access", "sync.history"} {
			r := decide_action(action, overrides)
			"managed_compliance_required" in r.reasons
			problem[1] in r.reasons
			"refresh_managed_status" in r.obligations
		}
	}
}

test_managed_compliant_device_gets_everything if {
	overrides := object.union(managed_org, {"signals": {"managed": compliant}})
	count(mismatches(overrides, all_actions)) == 0
}

test_unmanaged_org_ignores_managed_statements if {
	overrides := {"signals": {"managed": object.union(compliant, {"status": "noncompliant"})}}
	count(mismatches(overrides, all_actions)) == 0
}

test_managed_org_without_compliance_requirement_needs_no_statement if {
	count(mismatches({"account": {"policy": {"managed": true}}}, all_actions)) == 0
}

# ---------------------------------------------------------------------------------------
# Enigm OS integrity
# ---------------------------------------------------------------------------------------

failed_integrity := {"signals": {"os_integrity": {"present": true, "verified": true, "fresh": true, "status": "fail", "issuer": "enigm-os", "age_seconds": 30}}}

test_verified_integrity_failure_restricts_a_trusted_device if {
	count(mismatches(failed_integrity, allowed_in_state.restricted)) == 0
	r := decide_action("keys.access", failed_integrity)
	"os_integrity_failed" in r.reasons
	"key_access_not_allowed_when_restricted" in r.reasons
	decide_action("message.receive", failed_integrity).reasons == ["device_restricted", "os_integrity_failed"]
}

test_stale_verified_integrity_failure_still_restricts if {
	overrides := object.union(failed_integrity, {"signals": {"os_integrity": {"fresh": false}}})
	count(mismatches(overrides, allowed_in_state.restricted)) == 0
}

test_integrity_signals_that_change_nothing if {
	harmless := [
		{},
		{"signals": {"os_integrity": {"present": true, "verified": true, "fresh": true, "status": "pass"}}},
		{"signals": {"os_integrity": {"present": true, "verified": false, "fresh": false, "status": "fail"}}},
	]
	every overrides in harmless {
		count(mismatches(overrides, all_actions)) == 0
	}
}

test_integrity_pass_never_lifts_a_restriction if {
	overrides := {"device": {"state": "restricted"}, "signals": {"os_integrity": {"present": true, "verified": true, "fresh": true, "status": "pass"}}}
	count(mismatches(overrides, allowed_in_state.restricted)) == 0
}

# ---------------------------------------------------------------------------------------
# Posture (self-reported)
# ---------------------------------------------------------------------------------------

good_posture := {"present": true, "verified": false, "age_seconds": 10, "os_name": "ios", "os_version": "26.1", "patch_age_days": 3, "screen_lock": true, "biometrics": true, "app_version": "1.0.0"}

test_unverified_posture_never_raises_trust if {
	every state in all_states {
		overrides := {"device": {"state": state}, "signals": {"posture": good_posture}}
		count(mismatches(overrides, allowed_in_state[state])) == 0
	}
}

test_posture_never_stands_in_for_unlock_or_compliance if {
	posture := {"signals": {"posture": object.union(good_posture, {"verified": true})}}
	decide_action("keys.access", object.union(posture, {"device": {"local_unlock": {"verified": false}}})).allow == false
	decide_action("keys.access", object.union(posture, managed_org)).allow == false
}

test_no_screen_lock_adds_a_prompt if {
	overrides := {"signals": {"posture": object.union(good_posture, {"screen_lock": false})}}
	r := decide(overrides)
	r.allow == true
	r.obligations == ["prompt_screen_lock"]
}

test_no_screen_lock_prompt_for_devices_that_get_nothing if {
	overrides := {"device": {"state": "revoked"}, "signals": {"posture": object.union(good_posture, {"screen_lock": false})}}
	decide(overrides).obligations == []
}

# ---------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------

test_unknown_action_denied if {
	every action in {"keys.export", "", "MESSAGE.RECEIVE"} {
		r := decide({"action": action})
		r.allow == false
		"unknown_action" in r.reasons
	}
}

test_device_revoke_and_account_resources_need_trusted_or_restricted if {
	every action in {"device.revoke", "account.resources"} {
		every state in all_states {
			should_allow := state in {"trusted", "restricted"}
			decide_action(action, {"device": {"state": state}}).allow == should_allow
		}
	}
}

test_missing_input_denies if {
	r := decision.result with input as {}

	r.allow == false
	"unknown_action" in r.reasons
	"account_not_active" in r.reasons
}

test_several_problems_report_every_reason if {
	overrides := {"account": {"session": {"age_seconds": 5000}, "recovery": {"active": true}}, "device": {"counter_anomaly": true}}
	r := decide_action("keys.access", overrides)
	every reason in {"session_not_fresh", "account_in_recovery", "counter_anomaly"} {
		reason in r.reasons
	}
}
