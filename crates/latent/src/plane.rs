//! A grid of cells over the latent map's plane: where the views that measure the latent space
//! (holes in the prior, round-trip drift) evaluate their densities and decode their codes.

use crate::Projection;

#[derive(Clone, Debug, PartialEq)]
pub struct PlaneGrid {
    /// x0, y0, width, height in map coordinates.
    pub bounds: [f32; 4],
    pub cols: usize,
    pub rows: usize,
}

impl PlaneGrid {
    /// The centre of a cell. Row 0 is the top (largest y), since the map draws y upwards.
    pub fn centre(&self, col: usize, row: usize) -> [f32; 2] {
        let [x0, y0, w, h] = self.bounds;
        let x = x0 + (col as f32 + 0.5) / self.cols.max(1) as f32 * w;
        let y = y0 + h - (row as f32 + 0.5) / self.rows.max(1) as f32 * h;
        [x, y]
    }

    /// Every cell's centre, row by row from the top.
    pub fn cells(&self) -> Vec<[f32; 2]> {
        (0..self.rows)
            .flat_map(|r| (0..self.cols).map(move |c| (c, r)))
            .map(|(c, r)| self.centre(c, r))
            .collect()
    }

    pub fn cell_area(&self) -> f32 {
        (self.bounds[2] / self.cols.max(1) as f32) * (self.bounds[3] / self.rows.max(1) as f32)
    }

    /// The (column, row) of the cell holding `p`, when it is on the grid.
    pub fn cell_at(&self, p: [f32; 2]) -> Option<(usize, usize)> {
        let [x0, y0, w, h] = self.bounds;
        let fx = (p[0] - x0) / w;
        let fy = (y0 + h - p[1]) / h;
        if !(0.0..1.0).contains(&fx) || !(0.0..1.0).contains(&fy) {
            return None;
        }
        Some(((fx * self.cols as f32) as usize, (fy * self.rows as f32) as usize))
    }

    /// The latent code at each cell's centre (the other directions at the map's mean), for
    /// decoding the plane cell by cell.
    pub fn codes(&self, projection: &Projection) -> Vec<Vec<f32>> {
        self.cells().into_iter().map(|p| projection.unproject(p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_run_from_the_top_left_and_find_themselves() {
        let g = PlaneGrid { bounds: [-2.0, -1.0, 4.0, 2.0], cols: 4, rows: 2 };
        let cells = g.cells();
        assert_eq!(cells.len(), 8);
        assert_eq!(cells[0], [-1.5, 0.5]);
        assert_eq!(cells[7], [1.5, -0.5]);
        assert_eq!(g.cell_area(), 1.0);
        for (i, c) in cells.iter().enumerate() {
            assert_eq!(g.cell_at(*c), Some((i % 4, i / 4)));
        }
        assert_eq!(g.cell_at([2.5, 0.0]), None);
        assert_eq!(g.cell_at([f32::NAN, 0.0]), None);
    }

    #[test]
    fn codes_project_back_onto_their_cells() {
        let p =
            Projection { mean: vec![1.0, 0.0, 5.0], components: [vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]] };
        let g = PlaneGrid { bounds: [0.0, 0.0, 2.0, 2.0], cols: 2, rows: 2 };
        for (code, cell) in g.codes(&p).iter().zip(g.cells()) {
            assert_eq!(code[2], 5.0, "the other direction stays at the mean");
            assert_eq!(p.project(code), cell);
        }
    }
}
