/** What a caller may do, named `resource:action`. Handlers name the permissions they need. */
export enum Permission {
  AccountRead = 'account:read',
  UsersRead = 'users:read',
  UsersWrite = 'users:write',
  MetricsRead = 'metrics:read',
  CatalogWrite = 'catalog:write',
  InventoryRead = 'inventory:read',
  InventoryWrite = 'inventory:write',
  OrdersReadAny = 'orders:read:any',
  OrdersWrite = 'orders:write',
  PricingWrite = 'pricing:write',
}

export enum Role {
  Customer = 'customer',
  Support = 'support',
  Manager = 'manager',
  Admin = 'admin',
}

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  [Role.Customer]: [Permission.AccountRead],
  [Role.Support]: [Permission.AccountRead, Permission.UsersRead, Permission.InventoryRead, Permission.OrdersReadAny],
  [Role.Manager]: [
    Permission.AccountRead,
    Permission.UsersRead,
    Permission.MetricsRead,
    Permission.CatalogWrite,
    Permission.InventoryRead,
    Permission.InventoryWrite,
    Permission.OrdersReadAny,
    Permission.OrdersWrite,
    Permission.PricingWrite,
  ],
  [Role.Admin]: Object.values(Permission),
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role] ?? []));
}
