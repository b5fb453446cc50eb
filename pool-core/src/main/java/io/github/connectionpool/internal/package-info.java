/**
 * The pool's machinery, one part a class: {@link io.github.connectionpool.internal.PoolEngine} (the uncontended borrow
 * and return, and the wiring) and the parts its class comment lists: the slot table, the waiter queue and how waiters
 * wait, the dispatcher that completes waiters' futures, turns, the checks before lending, creations and their stall
 * and back-off rules, the recycler, the cleanup, the pool's threads. Not API: anything here may change without notice.
 */
package io.github.connectionpool.internal;
