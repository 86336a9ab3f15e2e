import { startUploader } from './uploader';

startUploader('#uploader');
