/** The shared, versioned prompt layout of memory and question ({@link dev.vstream.model.prompt.PromptLayout}). */
package dev.vstream.model.prompt;
