// Reading Pulumi URNs (`urn:pulumi:{stack}::{project}::{type}::{name}`) and provider references (`{urn}::{id}`).

/** The resource's name: everything after the type (a name may itself hold `::`). */
export function nameOfUrn(urn: string): string {
  const parts = urn.split('::');
  return parts.length >= 4 ? parts.slice(3).join('::') : urn;
}

/** The resource's type as its URN has it: the last type of a parent chain (`a$b` → `b`). */
export function typeOfUrn(urn: string): string {
  const qualified = urn.split('::')[2] ?? '';
  return qualified.split('$').pop() ?? qualified;
}

/** A provider reference `{urn}::{id}` as a person reads it: the provider package and the provider's name. */
export function providerLabel(reference: string): string {
  const urn = reference.slice(0, reference.lastIndexOf('::'));
  const type = typeOfUrn(urn).replace(/^pulumi:providers:/, '');
  return `${type} (${nameOfUrn(urn)})`;
}
