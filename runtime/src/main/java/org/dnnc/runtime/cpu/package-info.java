/**
 * The CPU backend's compute layer: what generated training and inference code calls, one static
 * kernel per operation, on preallocated memory with constant sizes.
 *
 * <ul>
 *   <li>Memory: {@link org.dnnc.runtime.cpu.Arena} (one aligned off-heap block per program) and
 *       {@link org.dnnc.runtime.cpu.Buf} (a fixed view of it, carved once at build time).
 *   <li>GEMM: {@link org.dnnc.runtime.cpu.Blas} (OpenBLAS {@code cblas_sgemm} through JavaCPP).
 *   <li>Layers and point-wise ops: {@link org.dnnc.runtime.cpu.Dense}, {@link
 *       org.dnnc.runtime.cpu.Activations} (with {@link org.dnnc.runtime.cpu.Activation}), {@link
 *       org.dnnc.runtime.cpu.Softmax}, {@link org.dnnc.runtime.cpu.Dropout}, {@link
 *       org.dnnc.runtime.cpu.Elementwise}, {@link org.dnnc.runtime.cpu.Concat}, {@link
 *       org.dnnc.runtime.cpu.Embedding} (with {@link org.dnnc.runtime.cpu.EmbeddingRows}, the rows
 *       a step's ids picked, for a sparse table gradient).
 *   <li>Sequences: {@link org.dnnc.runtime.cpu.Recurrent} (the RNN, LSTM and GRU cells of {@link
 *       org.dnnc.runtime.cpu.RecurrentCell}, shape in a {@link
 *       org.dnnc.runtime.cpu.RecurrentGeometry}), looping over time with one GEMM per step.
 *   <li>Convolutional networks: {@link org.dnnc.runtime.cpu.Conv2d} (im2col + GEMM, shape in a
 *       {@link org.dnnc.runtime.cpu.ConvGeometry}, column matrices in {@link
 *       org.dnnc.runtime.cpu.Im2col}), {@link org.dnnc.runtime.cpu.Pool2d} (max and average, shape
 *       in a {@link org.dnnc.runtime.cpu.PoolGeometry}), {@link org.dnnc.runtime.cpu.GlobalAvgPool},
 *       {@link org.dnnc.runtime.cpu.BatchNorm} (with a fused ReLU), {@link
 *       org.dnnc.runtime.cpu.LayerNorm}.
 *   <li>Threads: a {@link org.dnnc.runtime.cpu.CpuContext} per network, entered around each
 *       step, holds its thread count and helper thread; in it {@link org.dnnc.runtime.cpu.Workers}
 *       splits large calls (convolutions, dense GEMMs, batch norm, pooling, Adam) over two
 *       threads, or OpenBLAS threads each GEMM. Outside any context the kernels run serially.
 *   <li>Training: {@link org.dnnc.runtime.cpu.Losses}, {@link org.dnnc.runtime.cpu.Optimizers},
 *       {@link org.dnnc.runtime.cpu.Init}, {@link org.dnnc.runtime.cpu.Rng}.
 * </ul>
 *
 * <p>Conventions: tensors are row-major; sizes are element counts passed by the caller; numerics
 * follow PyTorch (dense weight {@code [out, in]}, mean-reduced losses, {@code torch.optim} update
 * rules); kernels allocate nothing per call and check nothing per element. Outputs may alias inputs
 * where a kernel's documentation says so.
 */
package org.dnnc.runtime.cpu;
