/**
 * Reports: plots, the misclassified grid, report.md/html, journeys' journals and comparisons.
 *
 * <p><b>Internal:</b> not part of mnistlab's API (that is {@link dev.mnistlab.api}) and free to change.
 */
package dev.mnistlab.report;
