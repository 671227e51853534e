// A small Rust app for the demo workspace: the N-queens count for a few board sizes, by backtracking.
// Built with rustc for wasm32-wasip1 (or wasm32-wasi) with debug info, so coverage and heat map to these
// lines.

fn safe(cols: &[usize], row: usize, col: usize) -> bool {
    for (r, &c) in cols.iter().enumerate().take(row) {
        if c == col || row - r == col.abs_diff(c) {
            return false;
        }
    }
    true
}

fn solve(cols: &mut Vec<usize>, row: usize, n: usize) -> u32 {
    if row == n {
        return 1;
    }
    let mut found = 0;
    for col in 0..n {
        if safe(cols, row, col) {
            cols[row] = col;
            found += solve(cols, row + 1, n);
        }
    }
    found
}

fn main() {
    for n in 4..=7 {
        let mut cols = vec![0; n];
        println!("{} queens: {} solutions", n, solve(&mut cols, 0, n));
    }
}
