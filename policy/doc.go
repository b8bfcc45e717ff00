// Package policy reads the withdrawal policy from a TOML file, checks it,
// explains it in plain words, and turns it into a plan: which pending
// invitations to withdraw, in which order, and why. An account's own
// values, edited key by key (see Fields), apply over the file's and are
// saved as a patch of the account (see File.Save).
package policy
