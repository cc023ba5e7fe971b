/**
 * The {@code mnistlab} command line: picocli commands that parse arguments, make one or two calls to
 * {@link dev.mnistlab.api} and print.
 *
 * <p><b>Internal:</b> not part of mnistlab's API; the commands and their options are documented in README.
 */
package dev.mnistlab.cli;
