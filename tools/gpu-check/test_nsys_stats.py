"""Tests of nsys_stats on text in the layout `nsys stats --format csv` prints (written here after
Nsight Systems' documented report columns; no profile is taken on a machine without a GPU).
bundle.sh runs them before it packs the folder: `python3 -m unittest test_nsys_stats`."""
import unittest

import nsys_stats

# cuda_gpu_trace (Nsight Systems 2023 and later), with the notes nsys prints around a report. One
# upload, two training steps of three kernels (the second overlapping the first on another stream
# for 1,000 ns), then an inference pass, which runs no optimizer kernel.
GPU_TRACE = """\
Generating SQLite file /tmp/x/nsys-mlp.sqlite from /tmp/x/nsys-mlp.nsys-rep
Processing [/tmp/x/nsys-mlp.sqlite] with [/opt/nvidia/nsight-systems/2025.3.1/host-linux-x64/reports/cuda_gpu_trace.py]...

 ** CUDA GPU Trace (cuda_gpu_trace):

Start (ns),Duration (ns),CorrId,GrdX,GrdY,GrdZ,BlkX,BlkY,BlkZ,Reg/Trd,StcSMem (MB),DymSMem (MB),Bytes (MB),Throughput (MB/s),SrcMemKd,DstMemKd,Device,Ctx,GreenCtx,Strm,Name
1000000,50000,11,,,,,,,,,,3.211,64220.000,Pageable,Device,NVIDIA H200 (0),1,,7,[CUDA memcpy Host-to-Device]
2000000,10000,20,4,1,1,256,1,1,32,0.000,0.000,,,,,NVIDIA H200 (0),1,,14,"ampere_sgemm_32x32_sliced1x4_tn"
2012000,4000,21,1,1,1,256,1,1,16,0.000,0.000,,,,,NVIDIA H200 (0),1,,14,fused_3fa2c1(const float *, float *, int)
2016000,6000,22,8,1,1,256,1,1,24,0.000,0.000,,,,,NVIDIA H200 (0),1,,14,"opt_adam(float *, const float *, float *, float *, int, const float *)"
2030000,10000,30,4,1,1,256,1,1,32,0.000,0.000,,,,,NVIDIA H200 (0),1,,14,"ampere_sgemm_32x32_sliced1x4_tn"
2039000,4000,31,1,1,1,256,1,1,16,0.000,0.000,,,,,NVIDIA H200 (0),1,,15,fused_3fa2c1(const float *, float *, int)
2044000,6000,32,8,1,1,256,1,1,24,0.000,0.000,,,,,NVIDIA H200 (0),1,,14,"opt_adam(float *, const float *, float *, float *, int, const float *)"
2100000,10000,40,4,1,1,256,1,1,32,0.000,0.000,,,,,NVIDIA H200 (0),1,,16,"ampere_sgemm_32x32_sliced1x4_tn"

"""

# cuda_api_trace: a graph launch per step, before its first kernel; the inference launch after the loop.
API_TRACE = """\
Processing [/tmp/x/nsys-mlp.sqlite] with [/opt/nvidia/nsight-systems/2025.3.1/host-linux-x64/reports/cuda_api_trace.py]...

 ** CUDA API Trace (cuda_api_trace):

Start (ns),Duration (ns),Name,Result,CorrID,Pid,Tid,T-Pri,Thread Name
900000,60000,cudaMemcpyAsync,0,11,4242,4243,20,java
1990000,3000,cudaGraphLaunch_v10000,0,19,4242,4243,20,java
2001000,2000,cuLaunchKernel,0,23,4242,4243,20,java
2025000,3000,cudaGraphLaunch_v10000,0,29,4242,4243,20,java
2090000,3000,cudaGraphLaunch_v10000,0,39,4242,4243,20,java
"""

# gputrace (Nsight Systems before 2023): microseconds here (--timeunit usec), no GreenCtx column.
OLD_GPU_TRACE = """\
Using /tmp/x/nsys-cnn.sqlite for SQL queries.
Running [/opt/nvidia/nsight-systems/2021.5.2/target-linux-x64/reports/gputrace.py /tmp/x/nsys-cnn.sqlite]...

Start (us),Duration (us),CorrId,GrdX,GrdY,GrdZ,BlkX,BlkY,BlkZ,Reg/Trd,StcSMem (MB),DymSMem (MB),Bytes (MB),Throughput (MB/s),SrcMemKd,DstMemKd,Device,Ctx,Strm,Name
10.0,2.0,5,1,1,1,256,1,1,16,0.000,0.000,,,,,NVIDIA H200 (0),1,7,fused_aa(const float *, float *, int)
13.0,1.0,6,1,1,1,256,1,1,16,0.000,0.000,,,,,NVIDIA H200 (0),1,7,opt_sgd
"""


class TrainingLoopTest(unittest.TestCase):
    def test_the_loop_runs_from_the_first_launched_kernel_to_the_last_optimizer_kernel(self):
        r = nsys_stats.training_loop(GPU_TRACE, API_TRACE, steps=2, train_seconds=0.0001)
        # From 2,000,000 (the first kernel after the first launch) to 2,050,000 (the last opt_adam's end).
        self.assertEqual(r["window_s"], 0.00005)
        # Kernels: 10,000 + 4,000 + 6,000 + 10,000 + 4,000 + 6,000, less the 1,000 ns of overlap.
        self.assertEqual(r["kernel_busy_s"], 0.000039)
        self.assertEqual(r["kernel_share_of_window"], 0.78)
        self.assertEqual(r["kernel_share_of_train_wall"], 0.39)
        self.assertEqual(r["kernels_per_step"], 3)
        # The inference launch at 2,090,000 comes after the loop.
        self.assertEqual(r["graph_launches_per_step"], 1)
        self.assertEqual(r["host_kernel_launches_per_step"], 0.5)

    def test_the_older_report_and_its_time_unit(self):
        r = nsys_stats.training_loop(OLD_GPU_TRACE, None, steps=1)
        self.assertEqual(r["window_s"], 0.000004)
        self.assertEqual(r["kernel_busy_s"], 0.000003)
        self.assertEqual(r["kernel_share_of_window"], 0.75)
        self.assertNotIn("kernel_share_of_train_wall", r)
        self.assertEqual(r["graph_launches_per_step"], "not measured: no CUDA API trace table")

    def test_a_trace_without_optimizer_kernels_says_why(self):
        no_optimizer = GPU_TRACE.replace("opt_adam", "fused_77")
        r = nsys_stats.training_loop(no_optimizer, API_TRACE, steps=2)
        self.assertIn("no optimizer kernel", r["error"])
        self.assertIn("--cuda-graph-trace=node", r["error"])

    def test_output_without_a_table_says_so(self):
        r = nsys_stats.training_loop("Processing [...]...\nSKIPPED: does not contain CUDA trace data.\n", None, steps=1)
        self.assertEqual(r["error"], "no GPU trace table (Start, Duration, Name) in nsys stats' output")

    def test_tables_skip_the_notes_and_stop_at_the_blank_line(self):
        found = nsys_stats.tables(GPU_TRACE)
        self.assertEqual(len(found), 1)
        header, rows = found[0]
        self.assertEqual(header[-1], "Name")
        self.assertEqual(len(rows), 8)
        self.assertEqual(rows[3]["Name"], "opt_adam(float *, const float *, float *, float *, int, const float *)")


if __name__ == "__main__":
    unittest.main()
