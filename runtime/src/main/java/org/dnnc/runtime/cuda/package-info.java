/**
 * The CUDA backend's compute layer: what generated code calls when a network is built with {@code
 * device(Device.CUDA)}. Nothing outside this package touches CUDA, so the CPU path never loads it.
 *
 * <ul>
 *   <li>Availability: {@link org.dnnc.runtime.cuda.Cuda#availability()} says whether this machine
 *       has the driver, a device and the libraries, naming what is missing; {@link
 *       org.dnnc.runtime.cuda.Cuda#require()} throws {@link
 *       org.dnnc.runtime.cuda.CudaUnavailableException} with that text.
 *   <li>Device and memory: {@link org.dnnc.runtime.cuda.CudaContext} (one stream, cuBLAS, loaded
 *       kernels), {@link org.dnnc.runtime.cuda.DeviceArena} (one {@code cudaMalloc} per plan) and
 *       {@link org.dnnc.runtime.cuda.DevBuf} (a view of it), {@link
 *       org.dnnc.runtime.cuda.PinnedBatches} (pinned host buffers, asynchronous uploads of the next
 *       batch) and {@link org.dnnc.runtime.cuda.PinnedReadback} (asynchronous read-backs of results,
 *       each waited for alone).
 *   <li>Kernels: CUDA C families shipped in {@code dnnc-kernels}, compiled with {@link
 *       org.dnnc.runtime.cuda.Nvrtc} through the on-disk {@link org.dnnc.runtime.cuda.KernelCache},
 *       launched by one class per family whose methods take the arguments of their CPU twins in
 *       {@code org.dnnc.runtime.cpu} after the context; generated fused kernels come as {@link
 *       org.dnnc.runtime.cuda.RuntimeKernelSource}.
 *   <li>Libraries: {@link org.dnnc.runtime.cuda.Gemm} (cuBLAS), {@link
 *       org.dnnc.runtime.cuda.Cudnn} (convolutions, when cuDNN is present), {@link
 *       org.dnnc.runtime.cuda.CudaGraph} (a captured step, replayed).
 * </ul>
 */
package org.dnnc.runtime.cuda;
