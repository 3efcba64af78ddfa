// The second build compiled no .dnn file and wrote nothing: every generated file and the state
// file keep the time stamp the first invocation set on them.
final long OLD = 978307200000L
def log = new File(basedir, 'build.log').text
assert log.contains('dnnc: 2 .dnn files: 2 compiled, 0 up to date; Java files: 2 written, 0 unchanged, 0 deleted') : 'first build'
assert log.contains('dnnc: 2 .dnn files: 0 compiled, 2 up to date; Java files: 0 written, 0 unchanged, 0 deleted') : 'second build'

def out = new File(basedir, 'target/generated-sources/dnnc/org/example/nets')
for (name in ['A.java', 'B.java']) {
    def f = new File(out, name)
    assert f.isFile()
    assert f.lastModified() == OLD : "${name} was written again"
}
assert new File(basedir, 'target/dnnc/compile.state').lastModified() == OLD : 'the state file was written again'
// The second build still compiled against the generated sources.
assert new File(basedir, 'target/classes/org/example/nets/A.class').isFile()
return true
