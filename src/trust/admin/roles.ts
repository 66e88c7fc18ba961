/**
 * Which Enigm Command role may do what (DESIGN §4, issue 7). Roles do not nest: a viewer
 * reads inventory and reports; an approver also decides pending enrollments; an operator also
 * changes device lifecycles and re-drives failed deliveries; an auditor reads and verifies
 * the audit log, and nothing else.
 */
import type { AdminRole } from '../apiKeys.js';

/** Inventory, review queue, replacements, accounts, trust-state report. */
export const INVENTORY_READERS: readonly AdminRole[] = ['viewer', 'approver', 'operator'];
/** Approving or denying a pending enrollment. */
export const ENROLLMENT_DECIDERS: readonly AdminRole[] = ['approver'];
/** Revoke, restrict, unrestrict, retire, start a replacement, re-drive deliveries. */
export const LIFECYCLE_OPERATORS: readonly AdminRole[] = ['operator'];
/** Audit search and chain verification. */
export const AUDIT_READERS: readonly AdminRole[] = ['auditor'];
