// The build failed on the shape errors, printed exactly as the compiler renders them (after
// Maven's level prefix on the first line), with a one-line summary.
def log = new File(basedir, 'build.log').text.replace('\r\n', '\n')
def bad = 'src/main/dnn/org/example/bad/Bad.dnn'

def expect = { String text ->
    assert log.contains(text) : "build.log lacks:\n" + text
}
expect("[ERROR] ${bad}:7:23: error: `dense` needs a vector of features per example, but this value has shape [1,28,28] (f32[N,1,28,28]) from input `image`\n" +
       "    logits = image -> dense(64) -> relu -> dense(10);\n" +
       "                      ^~~~~~~~~\n" +
       "  help: insert `flatten` before `dense`: `... -> flatten -> dense(64)`\n" +
       "${bad}:4:11: note: this f32[N,1,28,28] comes from input `image`\n")
expect("[ERROR] ${bad}:21:21: error: shapes differ in `+`: f32[N,4] from `dense` vs f32[N,6] from `dense`\n" +
       "    output y = relu(a + b);\n" +
       "                    ^~~~~\n")
expect("[WARNING] ${bad}:5:11: warning: input `label` is never used\n")
expect("dnnc: 2 errors, 1 warning in 1 file")

// Nothing from the broken file; the good file beside it was still generated.
def out = new File(basedir, 'target/generated-sources/dnnc/org/example')
assert !new File(out, 'bad').exists()
assert new File(out, 'good/Good.java').isFile()
return true
