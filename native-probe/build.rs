// The wizard (www/, including the wasm package built into www/pkg) is
// embedded in the binary; rebuild when any of it changes or appears.
fn main() {
    println!("cargo:rerun-if-changed=../www");
    println!("cargo:rerun-if-changed=../www/pkg");
}
