/**
 * The language-model context of a stream's memory, the piece the memory service (prefill) and the QA service
 * (decode) share: {@code model} loads the one model (shared in one process), {@code prefill} turns a
 * MemorySnapshot into a prefilled, frozen context with the shared prompt layout, {@code wire} is the versioned
 * binary format in which contexts travel between the services, {@code source} how QA obtains them.
 */
package dev.vstream.context;
