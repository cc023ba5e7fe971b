/**
 * Architectures: the YAML spec parser, shape and parameter trace, summary and receptive-field tables, and
 * the DJL block builder.
 *
 * <p><b>Internal:</b> not part of mnistlab's API (that is {@link dev.mnistlab.api}) and free to change. The
 * API hands out {@link dev.mnistlab.model.ReceptiveField.Row} as a value.
 */
package dev.mnistlab.model;
