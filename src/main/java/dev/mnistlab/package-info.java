/**
 * mnistlab: design, train and prove compact CNNs on MNIST. Start at {@link dev.mnistlab.api}.
 *
 * <p>This package holds what every other package uses: {@link dev.mnistlab.MnistlabException} (an error
 * the user can fix, with one line saying how) and the file helpers {@link dev.mnistlab.AtomicFiles} and
 * {@link dev.mnistlab.YamlFiles} (internal).
 */
package dev.mnistlab;
