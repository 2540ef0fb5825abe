/**
 * The version every tool of this catalogue reports. Composio's SDK pins toolkit versions
 * (`20250902_00`); latchkey serves one catalogue per release, so one version names it.
 */
export const CATALOGUE_VERSION = '20261122_00';
