/**
 * {@link dev.vstream.model.cli.ModelCli}: the {@code logits}, {@code generate} and
 * {@code features} verbs, printing JSON so our numbers can be diffed against another
 * implementation.
 */
package dev.vstream.model.cli;
