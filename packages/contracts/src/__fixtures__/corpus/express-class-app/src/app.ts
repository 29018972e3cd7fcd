import express, { type Application } from 'express';
import productRouter from './routes/product.routes';

export class App {
  public app: Application;

  constructor() {
    this.app = express();
    this.routes();
  }

  private routes(): void {
    this.app.use('/api/products', productRouter);
  }
}
