import { existsSync } from 'node:fs';

if (!existsSync('src/login.js')) {
  console.log('no login module yet');
  process.exit(0);
}
const { checkPassword } = await import('./src/login.js');
if (!checkPassword('s3cret', 's3cret') || checkPassword('s3cret', 'guess')) {
  console.error('checkPassword is wrong');
  process.exit(1);
}
console.log('login ok');
