// Package benchcpu measures the CPU time of the process for benchmarks,
// which report it per operation beside the wall time: on a shared machine
// the wall time measures the neighbours as much as the code, while the CPU
// time (user and system, on all threads, the garbage collector's
// included) measures the code.
//
// It is for benchmarks only, and a package of its own because test files
// cannot be imported across packages: no code outside _test.go files may
// import it, and it must not grow beyond measuring.
package benchcpu
