// Package unvite holds the domain of the unvite invitation manager: accounts,
// sent invitations and their status machine, the audit trail, policies and
// plans. It does no I/O; the packages beside it (sqlite, linkedin, importer,
// policy, ...) implement or use these types, and cmd/unvite wires them.
package unvite
