/** Sum of squares, (1/N) Σₙ ½ Σₖ (y − t)²: implemented in mse.ts with MSE (same code, other scale). */
export { SumSquaredLoss } from './mse'
