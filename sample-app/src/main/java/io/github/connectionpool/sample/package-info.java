/** The sample Spring Boot app: a REST endpoint that talks to an echo server through the auto-configured pool. */
package io.github.connectionpool.sample;
