// Between the builds B.dnn changed and C.dnn was deleted: the second build regenerated B.java
// only, left A.java untouched, and deleted C.java with its now empty package folder.
final long OLD = 978307200000L
def log = new File(basedir, 'build.log').text
assert log.contains('dnnc: 3 .dnn files: 3 compiled, 0 up to date; Java files: 3 written, 0 unchanged, 0 deleted') : 'first build'
assert log.contains('dnnc: 2 .dnn files: 1 compiled, 1 up to date; Java files: 1 written, 0 unchanged, 1 deleted') : 'second build'

def out = new File(basedir, 'target/generated-sources/dnnc/org/example')
def a = new File(out, 'nets/A.java')
def b = new File(out, 'nets/B.java')
assert a.lastModified() == OLD : 'A.java was written again'
assert b.lastModified() != OLD : 'B.java was not regenerated'
def first = new File(basedir, 'target/B.java.first')
assert first.isFile() && first.text != b.text : 'B.java should differ after B.dnn changed'
assert !new File(out, 'other/C.java').exists() : 'C.java should be deleted with C.dnn'
assert !new File(out, 'other').exists() : 'the empty package folder should be deleted'
return true
