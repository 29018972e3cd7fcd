import { Router } from 'express';
import { ProductController } from '../controllers/product.controller';

const controller = new ProductController();
const productRouter = Router();
productRouter.get('/', controller.list);
productRouter.get('/:id', controller.show);
productRouter.post('/', controller.create);
export default productRouter;
