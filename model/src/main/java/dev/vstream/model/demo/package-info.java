/**
 * The demo checkpoint vstream generates for itself ({@link dev.vstream.model.demo.DemoCheckpoint}):
 * an untrained, seeded SambaY model, a byte-level tokenizer and a projector, so the whole
 * pipeline runs without downloaded weights.
 */
package dev.vstream.model.demo;
