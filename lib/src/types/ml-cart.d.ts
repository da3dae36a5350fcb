// ml-cart ships no type declarations; this covers the part Vigil uses.
declare module 'ml-cart' {
  export interface CartOptions {
    gainFunction?: 'gini' | 'regression';
    splitFunction?: 'mean';
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }
  /** A trained node as serialised by toJSON(): an internal split, or a leaf with `distribution`. */
  export interface CartNodeJSON {
    splitColumn?: number;
    splitValue?: number;
    gain?: number;
    left?: CartNodeJSON;
    right?: CartNodeJSON;
    distribution?: number | number[][];
  }
  export interface CartModelJSON {
    options: CartOptions & { kind: string };
    root: CartNodeJSON;
    name: string;
  }
  export class DecisionTreeRegression {
    constructor(options?: CartOptions);
    train(X: number[][], y: number[]): void;
    predict(X: number[][]): number[];
    toJSON(): CartModelJSON;
    static load(model: CartModelJSON): DecisionTreeRegression;
  }
  export class DecisionTreeClassifier {
    constructor(options?: CartOptions);
    train(X: number[][], y: number[]): void;
    predict(X: number[][]): number[];
    toJSON(): CartModelJSON;
    static load(model: CartModelJSON): DecisionTreeClassifier;
  }
}
