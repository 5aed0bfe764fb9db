// Package groupcommit queues writes for one committer goroutine that
// commits whatever is pending as one transaction and answers each caller
// after its group committed: the group commit both stores use, so that
// durability does not cap throughput. What a group's transaction is belongs
// to the store; this package only gathers and answers.
package groupcommit
