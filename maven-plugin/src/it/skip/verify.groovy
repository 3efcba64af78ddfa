// -Ddnnc.skip=true: both goals say so, and nothing is generated.
def log = new File(basedir, 'build.log').text
assert log.count('dnnc: skipped') == 2 : 'both goals should report that they skipped'
assert !new File(basedir, 'target/generated-sources/dnnc').exists()
assert !new File(basedir, 'target/generated-test-sources/dnnc').exists()
assert !new File(basedir, 'target/dnnc').exists()
return true
