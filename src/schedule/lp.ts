/**
 * A small linear-programme builder: columns with cost, bounds and type; rows as sparse terms.
 * `toModelData` packs the matrix as CSC arrays for HiGHS' `createModel`.
 */
export const CONTINUOUS = 0;
export const INTEGER = 1;
export const SEMI_CONTINUOUS = 2;
export type ColType = typeof CONTINUOUS | typeof INTEGER | typeof SEMI_CONTINUOUS;

export type Term = readonly [col: number, coef: number];

export interface LpArrays {
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  integrality?: Int32Array;
  starts: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** What a row or a column's bounds stand for, to explain a conflict to a person. */
export interface Label {
  what: string;
  slot?: number;
  /** A column whose lower bound is a limit too (a SoC band), not just "no negative flow". */
  lowerIsLimit?: boolean;
}

export class LpBuilder {
  readonly rowLabels = new Map<number, Label>();
  readonly colLabels = new Map<number, Label>();
  private cost: number[] = [];
  private lower: number[] = [];
  private upper: number[] = [];
  private type: number[] = [];
  private rowLo: number[] = [];
  private rowHi: number[] = [];
  private tRow: number[] = [];
  private tCol: number[] = [];
  private tVal: number[] = [];
  private hasIntegers = false;

  get numCols(): number {
    return this.cost.length;
  }

  get numRows(): number {
    return this.rowLo.length;
  }

  addCol(cost: number, lower: number, upper: number, type: ColType = CONTINUOUS): number {
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    this.type.push(type);
    if (type !== CONTINUOUS) this.hasIntegers = true;
    return this.cost.length - 1;
  }

  addBinary(cost = 0): number {
    return this.addCol(cost, 0, 1, INTEGER);
  }

  addCost(col: number, cost: number): void {
    this.cost[col] += cost;
  }

  /** Adds `lower <= Σ coef·x[col] <= upper`. A column may appear once per row. */
  addRow(lower: number, upper: number, terms: readonly Term[]): number {
    const row = this.rowLo.length;
    this.rowLo.push(lower);
    this.rowHi.push(upper);
    for (const [col, coef] of terms) {
      if (coef === 0) continue;
      this.tRow.push(row);
      this.tCol.push(col);
      this.tVal.push(coef);
    }
    return row;
  }

  label(kind: 'row' | 'col', index: number, what: string, slot?: number, lowerIsLimit = false): number {
    (kind === 'row' ? this.rowLabels : this.colLabels).set(index, { what, slot, lowerIsLimit });
    return index;
  }

  get isMip(): boolean {
    return this.hasIntegers;
  }

  toArrays(): LpArrays {
    const numCols = this.cost.length;
    const nnz = this.tVal.length;
    const starts = new Int32Array(numCols + 1);
    for (let k = 0; k < nnz; k++) starts[this.tCol[k] + 1]++;
    for (let j = 0; j < numCols; j++) starts[j + 1] += starts[j];
    const fill = starts.slice(0, numCols);
    const indices = new Int32Array(nnz);
    const values = new Float64Array(nnz);
    for (let k = 0; k < nnz; k++) {
      const at = fill[this.tCol[k]]++;
      indices[at] = this.tRow[k];
      values[at] = this.tVal[k];
    }
    return {
      numCols,
      numRows: this.rowLo.length,
      colCost: Float64Array.from(this.cost),
      colLower: Float64Array.from(this.lower),
      colUpper: Float64Array.from(this.upper),
      rowLower: Float64Array.from(this.rowLo),
      rowUpper: Float64Array.from(this.rowHi),
      integrality: this.hasIntegers ? Int32Array.from(this.type) : undefined,
      starts,
      indices,
      values,
    };
  }
}
