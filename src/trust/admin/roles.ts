/**
 * The one table of who may do what in Enigm Command (DESIGN §7). Every admin route checks
 * its permission here; the README's role table is this table (a test keeps them equal).
 * Roles do not nest: an owner keeps the organisation's settings and admin keys and reads
 * what a viewer reads, but changes no device; an auditor reads the audit log and nothing else.
 */

/** Enigm Command roles an admin key may hold, highest first (an owner may issue any of them). */
export const ADMIN_ROLES = ['owner', 'operator', 'approver', 'viewer', 'auditor'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export function isAdminRole(role: unknown): role is AdminRole {
  return (ADMIN_ROLES as readonly unknown[]).includes(role);
}

export interface Permission {
  /** What the permission covers, as the README says it. */
  what: string;
  roles: readonly AdminRole[];
}

const READERS: readonly AdminRole[] = ['owner', 'operator', 'approver', 'viewer'];

/** The role matrix. */
export const ROLE_MATRIX = {
  'inventory.read': { what: 'inventory, accounts, review queue, replacements, trust-state report, an account\'s devices, an enrollment\'s status, fan-out status', roles: READERS },
  'signal_sources.read': { what: 'read the signal sources', roles: READERS },
  'organisation.read': { what: 'read the organisation\'s policy settings', roles: READERS },
  'organisation.write': { what: 'change the organisation\'s policy settings', roles: ['owner'] },
  'keys.manage': { what: 'issue, list and revoke the organisation\'s admin keys', roles: ['owner'] },
  'administrators.manage': { what: 'invite, list and remove the administrators who sign in to the Command console', roles: ['owner'] },
  'recovery.approve': { what: 'approve a recovery another administrator started', roles: ['owner', 'approver'] },
  // The enrollment policy accepts approvals by approvers only; an operator's deny stops an enrollment.
  'enrollments.decide': { what: 'approve (approver) or deny (approver, operator) a pending enrollment', roles: ['approver', 'operator'] },
  'accounts.write': { what: 'create accounts, start a recovery', roles: ['operator'] },
  'devices.lifecycle': { what: 'revoke, restrict, unrestrict, retire, start a replacement', roles: ['operator'] },
  'signal_sources.write': { what: 'configure signal sources', roles: ['operator'] },
  'deliveries.redrive': { what: 're-drive a failed delivery', roles: ['operator'] },
  'audit.read': { what: 'audit search and chain verification', roles: ['auditor'] },
} as const satisfies Record<string, Permission>;

export type PermissionName = keyof typeof ROLE_MATRIX;

/** The roles that hold `permission`. */
export function rolesFor(permission: PermissionName): readonly AdminRole[] {
  return ROLE_MATRIX[permission].roles;
}

/** Whether `role` holds `permission`. */
export function may(role: string, permission: PermissionName): boolean {
  return (ROLE_MATRIX[permission].roles as readonly string[]).includes(role);
}

/**
 * Whether a holder of `issuer` may issue a key of `role`: it manages keys, and the role is not
 * above its own (roles rank in ADMIN_ROLES order, the auditor lowest).
 */
export function mayIssue(issuer: string, role: AdminRole): boolean {
  return isAdminRole(issuer) && may(issuer, 'keys.manage') && ADMIN_ROLES.indexOf(role) >= ADMIN_ROLES.indexOf(issuer);
}
