/**
 * Baton's cache recipes. This module is a placeholder in the reactor until its issue lands; it
 * depends on {@code recipes-core} only.
 */
package dev.baton.cache;
