/** The policy: who may view a document (ownership, a tenant role, and the document's own columns). */
export const POLICY = `
entity user {}

entity tenant {
  relation admin @user
  relation member @user
}

entity document {
  relation owner @user
  attribute public boolean
  attribute status string

  permission view = (owner or public or tenant.admin) and listed(status)
}

rule listed(status string) { status != "archived" }
`;
