/**
 * The pool's machinery: slots, waiters, creation, cleanup and leak detection. Not API: anything here may change
 * without notice.
 */
package io.github.connectionpool.internal;
